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
    completedParts: parts,
    checksumSha256: upload.checksum_sha256,
    failureReason: upload.failure_reason,
    createdAt: new Date(upload.created_at).toISOString(),
    lastActivityAt: new Date(upload.last_activity_at).toISOString(),
  };
}

// eslint-disable-next-line no-control-regex -- stripping control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/** A file name safe to store and show: no path, no control characters, at most 255 characters. */
export function sanitizeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const clean = base.replace(CONTROL_CHARACTERS, "").replace(/\s+/g, " ").trim();
  const limited = [...clean].slice(0, 255).join("");
  return limited === "" || limited === "." || limited === ".." ? "upload" : limited;
}

/** RFC 6266 Content-Disposition with an ASCII fallback and the UTF-8 name. */
export function attachmentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
