import type { UploadSettings } from "../config/app-config.js";
import type { PartView, UploadView } from "../../app/shared/uploads.js";
import type { Upload } from "../db/schema.js";

export type { PartView, UploadView } from "../../app/shared/uploads.js";

export function uploadView(settings: UploadSettings, upload: Upload, parts: PartView[]): UploadView {
  return {
    id: upload.id,
    fileName: upload.file_name,
    size: upload.size,
    contentType: upload.content_type,
    fingerprint: upload.fingerprint,
    status: upload.status,
    partSize: upload.part_size,
    partCount: upload.part_count,
    concurrency: settings.concurrency,
    urlTtlSeconds: settings.urlTtlSeconds,
    retry: settings.retry,
    stallTimeoutMs: settings.stallTimeoutMs,
    checksumMode: { algorithm: upload.checksum_algorithm, type: upload.checksum_type },
    completedParts: parts,
    objectChecksum: upload.checksum,
    failureReason: upload.failure_reason,
    createdAt: new Date(upload.created_at).toISOString(),
    lastActivityAt: new Date(upload.last_activity_at).toISOString(),
  };
}
