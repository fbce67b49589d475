/** The upload API's JSON shapes, shared by the server (which produces them) and the browser uploader. */
import type { ChecksumMode } from "./checksum-mode";

/** 'deleted': completed, then its object was deleted before any post used it (by its owner, or the sweeper). */
export type UploadStatus = "uploading" | "completed" | "aborted" | "failed" | "deleted";

/**
 * What an upload is for: a file the person chose ("media", the default), or a video's poster frame the
 * page captured ("poster": a small image, never listed for resuming).
 */
export type UploadPurpose = "media" | "poster";

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

/** A completed upload that no post uses yet: it counts toward the quota and is deleted at `deletesAt`. */
export interface UnpostedUpload {
  id: string;
  fileName: string;
  size: number;
  contentType: string;
  completedAt: string;
  /** When the sweeper deletes it unless a post uses it first (UPLOAD_ORPHAN_AFTER after completion). */
  deletesAt: string;
  /** A short-lived URL of the image itself, for a thumbnail; null for videos. */
  previewUrl: string | null;
}

/** GET /api/uploads/unposted: a page of them, most recently finished first; `nextCursor` continues it. */
export interface UnpostedUploadsPage {
  uploads: UnpostedUpload[];
  nextCursor: string | null;
}
