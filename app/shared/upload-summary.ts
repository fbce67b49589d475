/**
 * What the browser's uploader reports when an upload completes or fails:
 * `POST /api/uploads/:id/summary` with this JSON body. The server validates it with this schema, adds it
 * to its metrics and keeps it on the upload's ledger row. Browser code imports only the types.
 */
import { z } from "zod";
import { CHECKSUM_MODES } from "./checksum-mode";
import { S3_LIMITS } from "./plan";

/**
 * Why a part attempt was retried, as a short fixed set (metric labels). From the uploader's failures:
 * network (connection lost), stall (no progress for the stall timeout), throttled (429 or SlowDown),
 * server_error (other 5xx), expired (part URL expired: re-signed), signature (SignatureDoesNotMatch:
 * re-signed), checksum (BadDigest: re-hashed), other (anything else that was retried).
 */
export const RETRY_REASONS = [
  "network",
  "stall",
  "throttled",
  "server_error",
  "expired",
  "signature",
  "checksum",
  "other",
] as const;
export type RetryReason = (typeof RETRY_REASONS)[number];

const count = z.number().int("must be a whole number").nonnegative("must not be negative");
const milliseconds = count.max(30 * 86_400_000, "must be at most 30 days");
/** "3": a number of attempts, 1 to 100 (the most UPLOAD_RETRY_ATTEMPTS allows). */
const attemptCount = z.string().regex(/^(100|[1-9]\d?)$/, "must be an attempt count from 1 to 100");

export const uploadSummarySchema = z
  .object({
    /** How this run of the upload ended. */
    outcome: z.enum(["completed", "failed"]),
    /** The part size and concurrency the uploader used (as the server handed them out). */
    partSize: z.number().int().min(1).max(S3_LIMITS.maxPartSize),
    concurrency: z.number().int().min(1).max(64),
    /** The upload's checksum mode (UPLOAD_CHECKSUM when it was created): how each part was checked. */
    checksum: z.enum(CHECKSUM_MODES),
    /**
     * How many parts needed how many attempts in this run: { "1": 120, "2": 3 } means 120 parts went
     * through on the first attempt and 3 on the second. Parts already on the server before the run are left out.
     */
    attemptsPerPart: z.record(attemptCount, count.min(1).max(S3_LIMITS.maxParts)),
    /** Retries by reason; reasons that did not happen may be left out. */
    retries: z.partialRecord(z.enum(RETRY_REASONS), count),
    /** Bytes sent more than once (attempts that failed part-way and were sent again). */
    bytesResent: count,
    /** Time spent waiting rather than sending: backoff delays and being offline. */
    waitingMs: milliseconds,
    /** Time from the start (or resume) of this run to its end. */
    durationMs: milliseconds,
    /** Bytes per second while sending, as the uploader measured it. */
    throughputBytesPerSecond: z.number().nonnegative().max(1e12),
    /** For a failed run: what the person was told. */
    failureReason: z.string().trim().min(1).max(500).optional(),
  })
  .strict()
  .superRefine((summary, ctx) => {
    const parts = Object.values(summary.attemptsPerPart).reduce((sum, n) => sum + n, 0);
    if (parts > S3_LIMITS.maxParts)
      ctx.addIssue({
        code: "custom",
        path: ["attemptsPerPart"],
        message: `counts more than ${S3_LIMITS.maxParts} parts`,
      });
    if (summary.waitingMs > summary.durationMs)
      ctx.addIssue({ code: "custom", path: ["waitingMs"], message: "must not be longer than durationMs" });
  });

export type UploadSummary = z.infer<typeof uploadSummarySchema>;
