import { ApiError } from "./api";
import type { Failure } from "./retry";
import { PartFailure } from "./transport";

/**
 * Ends an upload with a message for the person; `gone` when the server no longer has the upload,
 * `final` when trying again cannot help (the file is not what it claims to be).
 */
export class UploadFailedError extends Error {
  constructor(
    message: string,
    readonly gone: boolean,
    readonly final = false,
  ) {
    super(message);
    this.name = "UploadFailedError";
  }
}

/** Aborted on purpose (pause, offline, cancel): not a failure of the part. */
export const isAbort = (error: unknown) => error instanceof DOMException && error.name === "AbortError";

/** What the person reads when an upload fails: our own messages and the server's, else a plain one. */
export function failureMessage(error: unknown): string {
  return error instanceof UploadFailedError || error instanceof ApiError
    ? error.message
    : "The upload failed unexpectedly.";
}

/** How a part attempt failed, for the retry classifier; anything else is not a part's failure and is thrown. */
export function partFailureOf(error: unknown): Failure {
  if (error instanceof PartFailure) return error.failure;
  if (error instanceof ApiError) return error.failure;
  throw error;
}
