import type { PartView, UploadView } from "../shared/uploads";
import { ApiError } from "./api";
import { UploadFailedError } from "./errors";
import { expectedObjectChecksum } from "./hash";

/**
 * Parts the server already had when the upload resumed were sent from some earlier copy of the file:
 * those whose checksum differs from this file's (`localChecksum`, asked of every part so that all are
 * hashed before completing) must be sent again, so no byte of the result is unverified.
 */
export async function mismatchedParts(
  partNumbers: number[],
  serverParts: PartView[],
  localChecksum: (partNumber: number) => Promise<string>,
): Promise<number[]> {
  const server = new Map(serverParts.map((p) => [p.partNumber, p]));
  const mismatched: number[] = [];
  for (const n of partNumbers) {
    const local = await localChecksum(n);
    const known = server.get(n);
    if (known?.checksum && known.checksum !== local) mismatched.push(n);
  }
  return mismatched;
}

/** One try at completing: the completed object, or the parts to send (again) first. */
export type CompletionRound =
  | { outcome: "completed"; upload: UploadView }
  /** Resumed parts with other bytes than this file's: the server's checksums for them no longer count. */
  | { outcome: "mismatched"; parts: number[] }
  /** Parts storage lacks, or has at the wrong size. */
  | { outcome: "missing"; parts: number[] };

/**
 * Checks the resumed parts against this file, then asks the server to complete (`complete`, with the
 * API's retries). A conflict or refusal means the upload can no longer be completed: it is gone.
 */
export async function completeRound(steps: {
  partNumbers: number[];
  resumedParts: PartView[];
  localChecksum: (partNumber: number) => Promise<string>;
  complete: () => Promise<UploadView>;
}): Promise<CompletionRound> {
  const mismatched = await mismatchedParts(steps.partNumbers, steps.resumedParts, steps.localChecksum);
  if (mismatched.length > 0) return { outcome: "mismatched", parts: mismatched };
  try {
    return { outcome: "completed", upload: await steps.complete() };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.code === "parts_missing") {
      const details = error.details as { missing?: number[]; wrongSize?: number[] } | undefined;
      return { outcome: "missing", parts: [...(details?.missing ?? []), ...(details?.wrongSize ?? [])] };
    }
    if (error.status === 422) throw new UploadFailedError(error.message, true, true);
    if (error.status === 409) throw new UploadFailedError(error.message, true);
    throw error;
  }
}

/**
 * The end-to-end check: the completed object's checksum, as storage reports it, must be the one this
 * file's part checksums (in part order, with their sizes) make in the upload's mode.
 */
export async function checkIntegrity(
  completed: UploadView,
  parts: ReadonlyArray<{ checksum: string; size: number }>,
): Promise<void> {
  const expected = await expectedObjectChecksum(completed.checksumMode, parts);
  if (expected === undefined || completed.objectChecksum !== expected) {
    throw new UploadFailedError(
      `Integrity check failed: storage reports ${completed.objectChecksum ?? "no checksum"}, this file's ${completed.checksumMode.algorithm} is ${expected ?? "unknown"}.`,
      false,
    );
  }
}
