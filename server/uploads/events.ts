/**
 * What happens to uploads, told once: each event writes one log line and moves its metrics. The
 * upload service calls these at the moment the ledger changes.
 */
import type { UploadSummary } from "../../app/shared/upload-summary.js";
import { formatBytes } from "../config/units.js";
import type { Upload } from "../db/schema.js";
import type { Services } from "../services.js";
import { describeSweep, type SweepCounts } from "./sweep-counts.js";

type Observers = Pick<Services, "log" | "metrics">;

/** Why an upload failed, as a metric label: a short fixed set. */
export type FailureKind = "size_mismatch" | "content_mismatch" | "gone_from_storage";
/** Who discarded an upload: its owner, the sweeper for inactivity, or the sweeper for never being posted. */
export type AbortKind = "user" | "abandoned" | "orphaned";

const facts = (upload: Upload) => ({
  uploadId: upload.id,
  userId: upload.user_id,
  size: upload.size,
  parts: upload.part_count,
  contentType: upload.content_type,
});

export function uploadCreated({ log, metrics }: Observers, upload: Upload, resumed: boolean): void {
  if (resumed) {
    metrics.uploads.resumed.inc();
    log.info({ event: "upload.resumed", ...facts(upload) }, "upload resumed");
    return;
  }
  metrics.uploads.created.inc();
  log.info({ event: "upload.created", ...facts(upload), partSize: upload.part_size }, "upload created");
}

export function partsSigned({ log, metrics }: Observers, upload: Upload, parts: number[], seconds: number): void {
  metrics.uploads.signBatchSeconds.observe(seconds);
  metrics.uploads.partsSigned.inc(parts.length);
  log.info(
    {
      event: "upload.parts_signed",
      uploadId: upload.id,
      userId: upload.user_id,
      count: parts.length,
      first: Math.min(...parts),
      last: Math.max(...parts),
      durationMs: Math.round(seconds * 1000),
    },
    `signed ${parts.length} part URL${parts.length === 1 ? "" : "s"}`,
  );
}

export function partRecorded({ log, metrics }: Observers, upload: Upload, partNumber: number, size: number): void {
  metrics.uploads.partsRecorded.inc();
  log.debug(
    { event: "upload.part_recorded", uploadId: upload.id, userId: upload.user_id, partNumber, size },
    "part recorded",
  );
}

/** `completed` is the ledger row after completion (its completed_at set). */
export function uploadCompleted({ log, metrics }: Observers, completed: Upload): void {
  const end = completed.completed_at ? new Date(completed.completed_at).getTime() : Date.now();
  const seconds = Math.max(0.001, (end - new Date(completed.created_at).getTime()) / 1000);
  const throughput = completed.size / seconds;
  metrics.uploads.completed.inc();
  metrics.uploads.completedBytes.inc(completed.size);
  metrics.uploads.durationSeconds.observe(seconds);
  metrics.uploads.throughput.observe(throughput);
  log.info(
    {
      event: "upload.completed",
      ...facts(completed),
      durationMs: Math.round(seconds * 1000),
      bytesPerSecond: Math.round(throughput),
    },
    "upload completed",
  );
}

export function uploadFailed({ log, metrics }: Observers, upload: Upload, kind: FailureKind, reason: string): void {
  metrics.uploads.failed.inc({ reason: kind });
  log.warn({ event: "upload.failed", ...facts(upload), kind, reason }, `upload failed: ${reason}`);
}

export function uploadAborted({ log, metrics }: Observers, upload: Upload, kind: AbortKind): void {
  metrics.uploads.aborted.inc({ reason: kind });
  log.info({ event: "upload.aborted", ...facts(upload), kind }, `upload aborted (${kind})`);
}

/** A completed upload's object was deleted before any post used it: by its owner, or as an orphan. */
export function uploadDeleted({ log, metrics }: Observers, upload: Upload, kind: AbortKind): void {
  metrics.uploads.deleted.inc({ reason: kind });
  log.info({ event: "upload.deleted", ...facts(upload), kind }, `unposted upload deleted (${kind})`);
}

/** A sweep round ended: info when it did something, debug when there was nothing to do. */
export function sweepFinished({ log, metrics }: Observers, counts: SweepCounts, seconds: number): void {
  metrics.sweeper.runs.inc({ outcome: "ok" });
  const done = describeSweep(counts);
  log[done ? "info" : "debug"](
    { event: "uploads.swept", ...counts, durationMs: Math.round(seconds * 1000) },
    `sweep ${done || "found nothing to do"}`,
  );
}

export function sweepFailed({ log, metrics }: Observers, error: unknown): void {
  metrics.sweeper.runs.inc({ outcome: "error" });
  log.error({ event: "uploads.sweep_failed", err: error }, "sweep failed");
}

/** A browser's report of its run: its figures go to the client_* metrics. */
export function clientSummaryReceived({ log, metrics }: Observers, upload: Upload, summary: UploadSummary): void {
  const { client } = metrics;
  client.summaries.inc({ outcome: summary.outcome, checksum: summary.checksum });
  client.throughput.observe(
    { part_size: formatBytes(summary.partSize).replace(" ", ""), concurrency: String(summary.concurrency) },
    summary.throughputBytesPerSecond,
  );
  for (const [attempts, parts] of Object.entries(summary.attemptsPerPart))
    for (let i = 0; i < parts; i += 1) client.partAttempts.observe(Number(attempts));
  for (const [reason, retries] of Object.entries(summary.retries)) if (retries) client.retries.inc({ reason }, retries);
  client.resentBytes.inc(summary.bytesResent);
  client.waitingSeconds.observe(summary.waitingMs / 1000);
  log.info(
    { event: "upload.client_summary", uploadId: upload.id, userId: upload.user_id, summary },
    `browser reported its upload ${summary.outcome}`,
  );
}
