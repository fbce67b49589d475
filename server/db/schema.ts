import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";
import type { ChecksumType, PartChecksumAlgorithm } from "../../app/shared/checksum-mode.js";
import type { UploadSummary } from "../../app/shared/upload-summary.js";
import type { UploadPurpose, UploadStatus } from "../../app/shared/uploads.js";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface UsersTable {
  id: Generated<string>;
  /** GitHub's numeric user id (as text: it is a bigint); null for local development users. */
  github_id: number | null;
  login: string;
  name: string | null;
  avatar_url: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type { UploadPurpose, UploadStatus };

export interface UploadsTable {
  id: Generated<string>;
  user_id: string;
  s3_key: string;
  s3_upload_id: string;
  file_name: string;
  content_type: string;
  size: number;
  part_size: number;
  part_count: number;
  fingerprint: string;
  /** 'poster' for a video's poster frame the browser captured; 'media' for files people chose. */
  purpose: Generated<UploadPurpose>;
  status: Generated<UploadStatus>;
  /** How the upload's bytes are checked: each part's algorithm, and the object checksum's type. */
  checksum_algorithm: Generated<PartChecksumAlgorithm>;
  checksum_type: Generated<ChecksumType>;
  /** The completed object's ETag and checksum ("<base64>" full-object, "<base64>-<parts>" composite), as S3 reports them. */
  etag: string | null;
  checksum: string | null;
  failure_reason: string | null;
  created_at: Timestamp;
  last_activity_at: Timestamp;
  completed_at: Timestamp | null;
  /** When a completed upload's object was deleted (status 'deleted'): by its owner or the sweeper. */
  deleted_at: Timestamp | null;
  /** The browser's report of its latest run (written as JSON text, read back parsed). */
  client_summary: ColumnType<UploadSummary | null, string | null | undefined, string | null>;
  client_summary_at: Timestamp | null;
}

export interface UploadPartsTable {
  upload_id: string;
  part_number: number;
  size: number;
  etag: string;
  /** The part's checksum in the upload's algorithm (base64), as S3 checked it. */
  checksum: string | null;
  uploaded_at: Timestamp;
}

export interface PostsTable {
  id: Generated<string>;
  author_id: string;
  text: string;
  created_at: Timestamp;
}

export interface MediaTable {
  id: Generated<string>;
  post_id: string;
  position: Generated<number>;
  upload_id: string;
  s3_key: string;
  content_type: string;
  size: number;
  width: number | null;
  height: number | null;
  duration_seconds: number | null;
  /** The video's poster frame (an upload with purpose 'poster') and its object, or both null. */
  poster_upload_id: string | null;
  poster_s3_key: string | null;
}

export interface SessionsTable {
  /** SHA-256 (hex) of the random token the cookie carries. */
  token_hash: string;
  user_id: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

export interface RateLimitsTable {
  /** The limited action and who does it, e.g. "uploads:<user id>". */
  key: string;
  window_start: Timestamp;
  count: number;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  uploads: UploadsTable;
  upload_parts: UploadPartsTable;
  posts: PostsTable;
  media: MediaTable;
  rate_limits: RateLimitsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;

export type Upload = Selectable<UploadsTable>;
export type NewUpload = Insertable<UploadsTable>;
export type UploadPart = Selectable<UploadPartsTable>;
export type Post = Selectable<PostsTable>;
export type Media = Selectable<MediaTable>;
