import type { UploadView } from "../shared/uploads";

/**
 * What the browser keeps about an upload while it runs: the parts sent, and the draft caption, which
 * continuing the upload after a reload (or in another tab) puts back. The server's part list stays the
 * truth about what storage holds.
 */
export interface ResumeRecord {
  uploadId: string;
  userId: string;
  fingerprint: string;
  fileName: string;
  size: number;
  partSize: number;
  /** Finished parts: part number → ETag and checksum. */
  parts: Record<number, { etag: string; checksum?: string }>;
  /** The post's text as typed so far. */
  caption?: string;
  updatedAt: number;
}

export interface ResumeStore {
  put(record: ResumeRecord): void;
  /** The record of `uploadId`, or undefined when there is none or it cannot be read. */
  get(uploadId: string): ResumeRecord | undefined;
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
  caption = "",
): ResumeRecord {
  const server = new Map(view.completedParts.map((p) => [p.partNumber, p]));
  const parts: ResumeRecord["parts"] = {};
  for (const n of doneParts) {
    const known = server.get(n);
    const checksum = checksumOf(n) ?? known?.checksum ?? undefined;
    parts[n] = { etag: known?.etag ?? "", ...(checksum ? { checksum } : {}) };
  }
  const { id: uploadId, fingerprint, fileName, size, partSize } = view;
  return {
    uploadId,
    userId,
    fingerprint,
    fileName,
    size,
    partSize,
    parts,
    ...(caption ? { caption } : {}),
    updatedAt: now,
  };
}

/** Whether `value`, read back from storage, is a record of `uploadId` this version wrote. */
export function isResumeRecord(value: unknown, uploadId: string): value is ResumeRecord {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Record<string, unknown>;
  const strings = ["userId", "fingerprint", "fileName"].every((k) => typeof r[k] === "string");
  const numbers = ["size", "partSize", "updatedAt"].every((k) => typeof r[k] === "number");
  const caption = r.caption === undefined || typeof r.caption === "string";
  return r.uploadId === uploadId && strings && numbers && caption && typeof r.parts === "object" && r.parts !== null;
}

/** The subset of the Web Storage API the store needs (localStorage in the browser). */
export type KeyValueStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

const PREFIX = "feedup:upload:v1:";

/**
 * Resume state in localStorage, namespaced and versioned. Every failure is contained: a full or
 * unavailable storage makes writes no-ops and reads empty, and an entry that cannot be read (corrupt,
 * or from another version) is dropped; the server's part list still lets the upload resume.
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

  get(uploadId: string): ResumeRecord | undefined {
    let text: string | null | undefined;
    try {
      text = this.storage?.getItem(PREFIX + uploadId);
    } catch {
      return undefined;
    }
    if (text === null || text === undefined) return undefined;
    const value = parseJson(text);
    if (isResumeRecord(value, uploadId)) return value;
    this.remove(uploadId);
    return undefined;
  }

  remove(uploadId: string): void {
    try {
      this.storage?.removeItem(PREFIX + uploadId);
    } catch {
      // Storage unavailable: there is nothing to remove from it.
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export class MemoryResumeStore implements ResumeStore {
  readonly records = new Map<string, ResumeRecord>();
  put(record: ResumeRecord) {
    this.records.set(record.uploadId, structuredClone(record));
  }
  get(uploadId: string) {
    const record = this.records.get(uploadId);
    return record && structuredClone(record);
  }
  remove(uploadId: string) {
    this.records.delete(uploadId);
  }
}
