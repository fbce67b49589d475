import type { UploadView } from "./uploads";

/**
 * The uploader's retry and stall defaults, in one place: the server's environment defaults
 * (UPLOAD_RETRY_BASE, UPLOAD_RETRY_CAP, UPLOAD_RETRY_ATTEMPTS, UPLOAD_WAIT_CAP, UPLOAD_STALL_TIMEOUT) and
 * what the browser uses before the server has handed it the configured values.
 */
export const UPLOAD_DEFAULTS: Pick<UploadView, "retry" | "stallTimeoutMs"> = {
  retry: { baseMs: 1000, capMs: 30_000, attempts: 8, waitCapMs: 60_000 },
  stallTimeoutMs: 20_000,
};
