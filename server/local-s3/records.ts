import type { ChecksumAlgorithm, Checksums, ChecksumType } from "./checksums.js";
import type { CorsRule } from "./cors.js";
import type { CompletedUploads } from "./store-completed.js";

// What the store keeps (records on disk as JSON, indexed in memory), and the shapes its writes take.

/** Headers S3 stores with an object and returns on GET/HEAD. */
export interface StoredHeaders {
  contentType?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  metadata: Record<string, string>;
}

/** One file holding a contiguous run of an object's bytes: the whole body, or one part of a multipart upload. */
export interface Segment {
  file: string;
  size: number;
}

export interface ObjectMeta extends StoredHeaders {
  key: string;
  /** The object's bytes in order. Completing a multipart upload moves its part files here instead of copying them. */
  segments: Segment[];
  size: number;
  etag: string;
  lastModified: string;
  checksums: Checksums;
  checksumType?: ChecksumType;
  partCount?: number;
}

export interface PartMeta {
  partNumber: number;
  dataFile: string;
  size: number;
  etag: string;
  lastModified: string;
  checksums: Checksums;
}

export interface UploadMeta extends StoredHeaders {
  uploadId: string;
  key: string;
  initiated: string;
  checksumAlgorithm?: ChecksumAlgorithm;
  /** Absent in records from before FULL_OBJECT: COMPOSITE. */
  checksumType?: ChecksumType;
}

/** A multipart upload in progress: what CreateMultipartUpload recorded, the parts received, and its folder. */
export interface StoredUpload {
  meta: UploadMeta;
  parts: Map<number, PartMeta>;
  dir: string;
}

export interface BucketState {
  name: string;
  createdAt: string;
  cors?: CorsRule[];
  dir: string;
  objects: Map<string, ObjectMeta>;
  uploads: Map<string, StoredUpload>;
  /** Uploads completed lately, for Completes sent again. */
  completed: CompletedUploads;
}

/** Checks the version a write would replace (undefined: none) and throws to refuse the write. */
export type WritePrecondition = (previous: ObjectMeta | undefined) => void;

export type CompletedDescription = Pick<ObjectMeta, "etag" | "checksums" | "checksumType" | "partCount">;

export interface CompletedPartRef {
  partNumber: number;
  etag: string;
  checksums: Checksums;
}

/** What a completion answered, kept for a while so that a Complete sent again gets the same answer. */
export interface CompletedUpload extends CompletedDescription {
  uploadId: string;
  key: string;
  completedAt: string;
  /** The parts the completion listed, in order. */
  parts: CompletedPartRef[];
}
