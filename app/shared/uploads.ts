/** The upload API's JSON shapes, shared by the server (which produces them) and the browser uploader. */
import type { ChecksumMode } from "./checksum-mode";

export type UploadStatus = "uploading" | "completed" | "aborted" | "failed";

export interface PartView {
  partNumber: number;
  size: number;
  etag: string;
  /** The part's checksum in the upload's algorithm (base64), as storage checked it. */
  checksum: string | null;
}

/** What the browser's uploader needs to run (or resume) an upload. */
export interface UploadView {
  id: string;
  fileName: string;
  size: number;
  contentType: string;
  fingerprint: string;
  status: UploadStatus;
  partSize: number;
  partCount: number;
  concurrency: number;
  urlTtlSeconds: number;
  /** Backoff between a part's attempts, the attempts per part, and the cap of the waiting phase's probes. */
  retry: { baseMs: number; capMs: number; attempts: number; waitCapMs: number };
  stallTimeoutMs: number;
  /** How this upload's bytes are checked: each part's checksum algorithm and the object checksum's type. */
  checksumMode: ChecksumMode;
  completedParts: PartView[];
  /** The completed object's checksum as storage reports it ("<base64>" full-object, "<base64>-<parts>" composite). */
  objectChecksum: string | null;
  failureReason: string | null;
  createdAt: string;
  lastActivityAt: string;
}

export interface UnfinishedUpload {
  id: string;
  fileName: string;
  size: number;
  contentType: string;
  fingerprint: string;
  partCount: number;
  completedParts: number;
  completedBytes: number;
  createdAt: string;
  lastActivityAt: string;
}

/** GET /api/uploads: a page of unfinished uploads, newest first; `nextCursor` continues it. */
export interface UnfinishedUploadsPage {
  uploads: UnfinishedUpload[];
  nextCursor: string | null;
}

export interface SignedParts {
  expiresAt: string;
  parts: Array<{ partNumber: number; size: number; url: string; headers: Record<string, string> }>;
}
