/**
 * The app's Prometheus metrics, on a registry of its own per services instance (never prom-client's
 * global one), so several apps in one process (the tests) count apart. Served by GET /metrics.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

const MiB = 1024 * 1024;

/** Seconds: sub-second API and S3 calls. */
const CALL_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds: whole uploads, from a second to a day. */
const UPLOAD_SECONDS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400];
/** Bytes per second: from a poor mobile link to a fast LAN. */
const THROUGHPUT = [0.0625, 0.25, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024].map((m) => m * MiB);

export interface Metrics {
  registry: Registry;
  http: { requestSeconds: Histogram<"method" | "route" | "status"> };
  uploads: {
    created: Counter;
    resumed: Counter;
    completed: Counter;
    failed: Counter<"reason">;
    aborted: Counter<"reason">;
    deleted: Counter<"reason">;
    completedBytes: Counter;
    durationSeconds: Histogram;
    throughput: Histogram;
    signBatchSeconds: Histogram;
    partsSigned: Counter;
    partsRecorded: Counter;
  };
  s3: { requestSeconds: Histogram<"operation" | "outcome">; errors: Counter<"operation" | "code"> };
  sweeper: { runs: Counter<"outcome"> };
  /** What browsers report about their uploads (POST /api/uploads/:id/summary). */
  client: {
    summaries: Counter<"outcome" | "checksum">;
    throughput: Histogram<"part_size" | "concurrency">;
    partAttempts: Histogram;
    retries: Counter<"reason">;
    resentBytes: Counter;
    waitingSeconds: Histogram;
  };
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const counter = <L extends string = never>(name: string, help: string, labelNames: L[] = []) =>
    new Counter<L>({ name: `feedup_${name}`, help, labelNames, registers });
  const histogram = <L extends string = never>(name: string, help: string, buckets: number[], labelNames: L[] = []) =>
    new Histogram<L>({ name: `feedup_${name}`, help, buckets, labelNames, registers });

  return {
    registry,
    http: {
      requestSeconds: histogram(
        "http_request_duration_seconds",
        "HTTP requests by route pattern and status",
        CALL_SECONDS,
        ["method", "route", "status"],
      ),
    },
    uploads: {
      created: counter("uploads_created_total", "Multipart uploads started"),
      resumed: counter("uploads_resumed_total", "Upload starts answered with the same file's unfinished upload"),
      completed: counter("uploads_completed_total", "Uploads completed and verified"),
      failed: counter("uploads_failed_total", "Uploads that failed, by reason", ["reason"]),
      aborted: counter("uploads_aborted_total", "Unfinished uploads aborted, by reason (user, abandoned)", ["reason"]),
      deleted: counter(
        "uploads_deleted_total",
        "Completed uploads deleted before any post used them, by reason (user, orphaned)",
        ["reason"],
      ),
      completedBytes: counter("upload_completed_bytes_total", "Bytes of completed uploads"),
      durationSeconds: histogram(
        "upload_duration_seconds",
        "Time from an upload's start to its completion, pauses included",
        UPLOAD_SECONDS,
      ),
      throughput: histogram(
        "upload_throughput_bytes_per_second",
        "Size over duration of completed uploads, pauses included (the browser's own figure: feedup_client_*)",
        THROUGHPUT,
      ),
      signBatchSeconds: histogram(
        "part_sign_batch_duration_seconds",
        "Time to answer one part-signing batch",
        CALL_SECONDS,
      ),
      partsSigned: counter("parts_signed_total", "Part URLs presigned"),
      partsRecorded: counter("parts_recorded_total", "Parts recorded in the ledger after S3 confirmed them"),
    },
    s3: {
      requestSeconds: histogram(
        "s3_request_duration_seconds",
        "The server's S3 calls (each HTTP attempt), by operation and outcome (ok, error)",
        CALL_SECONDS,
        ["operation", "outcome"],
      ),
      errors: counter("s3_errors_total", "The server's S3 calls that failed, by operation and error code", [
        "operation",
        "code",
      ]),
    },
    sweeper: {
      runs: counter("sweeper_runs_total", "Sweep rounds (abandoned and unposted uploads), by outcome (ok, error)", [
        "outcome",
      ]),
    },
    client: {
      summaries: counter(
        "client_upload_summaries_total",
        "Upload summaries browsers sent, by outcome and checksum mode",
        ["outcome", "checksum"],
      ),
      throughput: histogram(
        "client_upload_throughput_bytes_per_second",
        "Throughput browsers measured while sending, by part size and concurrency",
        THROUGHPUT,
        ["part_size", "concurrency"],
      ),
      partAttempts: histogram(
        "client_part_attempts",
        "Attempts each part needed, as browsers report",
        [1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 50, 100],
      ),
      retries: counter("client_retries_total", "Part retries browsers made, by reason", ["reason"]),
      resentBytes: counter("client_resent_bytes_total", "Bytes browsers sent again after a failed attempt"),
      waitingSeconds: histogram(
        "client_waiting_seconds",
        "Time browsers spent waiting per upload (backoff, offline)",
        [0, 1, 5, 15, 60, 300, 900, 3600],
      ),
    },
  };
}
