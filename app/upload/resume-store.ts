import type { UploadView } from "../shared/uploads";

/**
 * What the browser keeps about an upload while it runs. Nothing reads it back yet: after a reload,
 * continuing starts from the server's list of unfinished uploads.
 */
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
export type KeyValueStorage = Pick<Storage, "setItem" | "removeItem">;

const PREFIX = "feedup:upload:v1:";

/**
 * Resume state in localStorage, namespaced and versioned. Every failure is contained: a full or
 * unavailable storage makes writes no-ops (the server's part list still lets the upload resume).
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
      // Storage unavailable: there is nothing to remove from it.
    }
  }
}

export class MemoryResumeStore implements ResumeStore {
  readonly records = new Map<string, ResumeRecord>();
  put(record: ResumeRecord) {
    this.records.set(record.uploadId, structuredClone(record));
  }
  remove(uploadId: string) {
    this.records.delete(uploadId);
  }
}
