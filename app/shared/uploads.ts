/** The upload API's JSON shapes, shared by the server (which produces them) and the browser uploader. */
export type UploadStatus = "uploading" | "completed" | "aborted" | "failed";

export interface PartView {
  partNumber: number;
  size: number;
  etag: string;
  checksumSha256: string | null;
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
  completedParts: PartView[];
  checksumSha256: string | null;
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
