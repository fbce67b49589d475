import { isSameFile } from "./hash";

/** What the uploader needs of a file handle (a FileSystemFileHandle in Chromium). */
export interface FileHandleLike {
  kind: "file";
  name: string;
  getFile(): Promise<File>;
  queryPermission?(descriptor: { mode: "read" }): Promise<PermissionState>;
  requestPermission?(descriptor: { mode: "read" }): Promise<PermissionState>;
}

/** A handle kept with an unfinished upload, so it can continue with no file dialog. */
export interface KeptHandle {
  uploadId: string;
  userId: string;
  fingerprint: string;
  handle: FileHandleLike;
  savedAt: number;
}

/** Handles by upload, in IndexedDB in the browser (handles cannot go to localStorage). */
export interface HandleStore {
  put(entry: KeptHandle): Promise<void>;
  get(uploadId: string): Promise<KeptHandle | undefined>;
  remove(uploadId: string): Promise<void>;
}

const DB_NAME = "feedup";
const STORE = "file-handles";

const done = <T>(request: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

function isKeptHandle(value: unknown, uploadId: string): value is KeptHandle {
  const entry = value as Partial<KeptHandle> | undefined;
  return (
    entry?.uploadId === uploadId &&
    typeof entry.userId === "string" &&
    typeof entry.fingerprint === "string" &&
    typeof entry.handle === "object" &&
    entry.handle?.kind === "file"
  );
}

/**
 * The handle store in IndexedDB. Like the resume store it never throws: without IndexedDB (or with a
 * broken or blocked database) it keeps nothing, and an entry it cannot read is dropped.
 */
export class IndexedDbHandleStore implements HandleStore {
  private db?: Promise<IDBDatabase | undefined>;

  constructor(private readonly factory: IDBFactory | undefined) {}

  static fromWindow(): IndexedDbHandleStore {
    return new IndexedDbHandleStore(typeof indexedDB === "undefined" ? undefined : indexedDB);
  }

  async put(entry: KeptHandle): Promise<void> {
    await this.run("readwrite", (store) => store.put(entry));
  }

  async get(uploadId: string): Promise<KeptHandle | undefined> {
    const value = await this.run("readonly", (store) => store.get(uploadId));
    if (value === undefined || isKeptHandle(value, uploadId)) return value;
    await this.remove(uploadId);
    return undefined;
  }

  async remove(uploadId: string): Promise<void> {
    await this.run("readwrite", (store) => store.delete(uploadId));
  }

  private async run<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T>) {
    try {
      const db = await this.open();
      return db ? await done(action(db.transaction(STORE, mode).objectStore(STORE))) : undefined;
    } catch {
      return undefined;
    }
  }

  private open(): Promise<IDBDatabase | undefined> {
    this.db ??= (async () => {
      if (!this.factory) return undefined;
      const request = this.factory.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "uploadId" });
      return done(request).catch(() => undefined);
    })();
    return this.db;
  }
}

/** The file of a kept handle, or why it cannot be had (then the person chooses the file instead). */
export type Reopened = { file: File } | { problem: string };

/**
 * Opens a kept handle's file again, asking only for permission to read it (a click must have led
 * here: browsers ask only then). A file changed since the upload began cannot continue it.
 */
export async function reopenKeptFile(kept: KeptHandle): Promise<Reopened> {
  const { handle } = kept;
  const chooseInstead = `choose “${handle.name}” to continue.`;
  try {
    const descriptor = { mode: "read" } as const;
    let permission = (await handle.queryPermission?.(descriptor)) ?? "granted";
    if (permission !== "granted") permission = (await handle.requestPermission?.(descriptor)) ?? "denied";
    if (permission !== "granted") return { problem: `Reading the file was not allowed: ${chooseInstead}` };
    const file = await handle.getFile();
    if (!isSameFile(file, kept.fingerprint))
      return { problem: `“${handle.name}” has changed since this upload began: discard it and share the file again.` };
    return { file };
  } catch {
    return { problem: `“${handle.name}” can no longer be opened (moved or deleted?): ${chooseInstead}` };
  }
}
