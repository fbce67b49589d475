import type { UploadView } from "../shared/uploads";

/** What the browser keeps about an upload so that a reload can offer to continue it. */
export interface ResumeRecord {
  uploadId: string;
  userId: string;
  fingerprint: string;
  fileName: string;
  size: number;
  partSize: number;
  /** Finished parts: part number → ETag and checksum. */
  parts: Record<number, { etag: string; checksumSha256?: string }>;
  updatedAt: number;
}

export interface ResumeStore {
  get(uploadId: string): ResumeRecord | undefined;
  list(userId: string): ResumeRecord[];
  put(record: ResumeRecord): void;
  remove(uploadId: string): void;
}

/**
 * The record for `view` once `doneParts` are sent: each part's checksum is this file's digest where
 * it is known, else the server's.
 */
export function resumeRecordFor(
  view: UploadView,
  userId: string,
  doneParts: number[],
  checksumOf: (partNumber: number) => string | undefined,
  now: number,
): ResumeRecord {
  const server = new Map(view.completedParts.map((p) => [p.partNumber, p]));
  const parts: ResumeRecord["parts"] = {};
  for (const n of doneParts) {
    const known = server.get(n);
    const checksumSha256 = checksumOf(n) ?? known?.checksumSha256;
    parts[n] = { etag: known?.etag ?? "", ...(checksumSha256 ? { checksumSha256 } : {}) };
  }
  const { id: uploadId, fingerprint, fileName, size, partSize } = view;
  return { uploadId, userId, fingerprint, fileName, size, partSize, parts, updatedAt: now };
}

/** The subset of the Web Storage API the store needs (localStorage in the browser). */
export interface KeyValueStorage {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const PREFIX = "feedup:upload:v1:";

function isRecord(value: unknown): value is ResumeRecord {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.uploadId === "string" &&
    typeof r.userId === "string" &&
    typeof r.fingerprint === "string" &&
    typeof r.size === "number" &&
    typeof r.partSize === "number" &&
    typeof r.parts === "object" &&
    r.parts !== null
  );
}

/**
 * Resume state in localStorage, namespaced and versioned. Every failure is contained: a corrupt entry
 * is dropped and reads as missing, a full or unavailable storage makes writes no-ops (the server's
 * part list still lets the upload resume; only the offer after a reload is lost).
 */
export class LocalResumeStore implements ResumeStore {
  constructor(private readonly storage: KeyValueStorage | undefined) {}

  static fromWindow(): LocalResumeStore {
    try {
      return new LocalResumeStore(typeof window === "undefined" ? undefined : window.localStorage);
    } catch {
      // Accessing localStorage throws when it is disabled (privacy settings, sandboxed frames).
      return new LocalResumeStore(undefined);
    }
  }

  get(uploadId: string): ResumeRecord | undefined {
    return this.read(PREFIX + uploadId);
  }

  list(userId: string): ResumeRecord[] {
    const out: ResumeRecord[] = [];
    for (const key of this.keys()) {
      const record = this.read(key);
      if (record && record.userId === userId) out.push(record);
    }
    return out.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  put(record: ResumeRecord): void {
    try {
      this.storage?.setItem(PREFIX + record.uploadId, JSON.stringify(record));
    } catch {
      // Quota exceeded or storage unavailable: resuming still works from the server's part list.
    }
  }

  remove(uploadId: string): void {
    try {
      this.storage?.removeItem(PREFIX + uploadId);
    } catch {
      // Nothing to do: a stale entry is dropped when it no longer matches a server upload.
    }
  }

  private keys(): string[] {
    const keys: string[] = [];
    try {
      const storage = this.storage;
      if (!storage) return keys;
      for (let i = 0; i < storage.length; i += 1) {
        const key = storage.key(i);
        if (key?.startsWith(PREFIX)) keys.push(key);
      }
    } catch {
      return [];
    }
    return keys;
  }

  private read(key: string): ResumeRecord | undefined {
    let text: string | null;
    try {
      text = this.storage?.getItem(key) ?? null;
    } catch {
      return undefined;
    }
    if (text === null) return undefined;
    try {
      const value: unknown = JSON.parse(text);
      if (isRecord(value)) return value;
    } catch {
      // fall through: corrupt JSON
    }
    this.remove(key.slice(PREFIX.length));
    return undefined;
  }
}

export class MemoryResumeStore implements ResumeStore {
  readonly records = new Map<string, ResumeRecord>();
  get(uploadId: string) {
    return this.records.get(uploadId);
  }
  list(userId: string) {
    return [...this.records.values()].filter((r) => r.userId === userId);
  }
  put(record: ResumeRecord) {
    this.records.set(record.uploadId, structuredClone(record));
  }
  remove(uploadId: string) {
    this.records.delete(uploadId);
  }
}
