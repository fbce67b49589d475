/**
 * The retry timeline: every attempt of every part (time, duration, outcome, reason), the waits between
 * them, re-signed links and failed calls to the app, kept in full for the life of the upload in this
 * page. Plain data and pure functions: the details view renders it, "Copy as JSON" exports it, and the
 * summary the uploader reports at the end of a run is computed from it.
 */
import type { RetryReason, UploadSummary } from "../shared/upload-summary";
import type { Failure } from "./retry";

/** One PUT of a part to storage, from the moment it went out to its end. */
export interface AttemptEntry {
  kind: "attempt";
  part: number;
  /** The part's attempt number (attempts that did not count against the limit share the next one's). */
  attempt: number;
  startedAt: number;
  durationMs: number;
  /** Bytes of this attempt that had left the browser when it ended. */
  sentBytes: number;
  /** stored: storage has the part and the app recorded it; interrupted: stopped by the uploader (offline, pause). */
  outcome: "stored" | "failed" | "interrupted";
  /** Why it failed, in words, and its class (for the summary's retries by reason). */
  reason?: string;
  category?: RetryReason;
  /** What followed a failure: another attempt, the waiting phase, or the end of the upload. */
  next?: "retry" | "wait" | "fatal";
}

/** A call to the app's API that failed (and was retried or waited out). */
export interface CallEntry {
  kind: "call";
  call: string;
  attempt: number;
  startedAt: number;
  durationMs: number;
  outcome: "failed";
  reason: string;
  /** Made again, waited out (the waiting phase, or signing in again), or the upload failed. */
  next: "retry" | "wait" | "fatal";
}

/** Time a part (or the upload, `part` null) spent not sending: a backoff, the waiting phase, offline or paused. */
export interface WaitEntry {
  kind: "wait";
  part: number | null;
  startedAt: number;
  durationMs: number;
  why: "backoff" | "waiting" | "held";
}

/** A part's link was signed again: after storage refused it, after connection failures, or before it expired. */
export interface ResignEntry {
  kind: "resign";
  part: number;
  at: number;
  reason: string;
}

export type TimelineEntry = AttemptEntry | CallEntry | WaitEntry | ResignEntry;

/** When an entry began. */
export const entryTime = (entry: TimelineEntry) => (entry.kind === "resign" ? entry.at : entry.startedAt);

/**
 * The entries in the order things began (entries are added as they end, so a long attempt comes after
 * the shorter ones that started later); ties keep the order they were added in.
 */
export function inTimeOrder(entries: readonly TimelineEntry[]): TimelineEntry[] {
  return entries
    .map((entry, i) => [entry, i] as const)
    .sort(([a, i], [b, j]) => entryTime(a) - entryTime(b) || i - j)
    .map(([entry]) => entry);
}

/** The summary's class of a part failure. */
export function retryReasonOf(failure: Failure): RetryReason {
  if (failure.type === "network") return "network";
  if (failure.type === "stall") return "stall";
  const { status, code, message } = failure;
  if (status === 429 || code === "SlowDown" || status === 503) return "throttled";
  if (status >= 500) return "server_error";
  if (code === "ExpiredToken" || /expired/i.test(message ?? "")) return "expired";
  if (code === "SignatureDoesNotMatch" || code === "RequestTimeTooSkewed" || code === "TokenRefreshRequired")
    return "signature";
  if (code === "BadDigest") return "checksum";
  if (code === "RequestTimeout" || code === "IncompleteBody" || status === 408) return "network";
  return "other";
}

/**
 * The log itself: append-only, nothing dropped. `size` changes with every entry, so a state holding
 * the log and its size changes when the log does.
 */
export class AttemptLog {
  private readonly list: TimelineEntry[] = [];

  get entries(): readonly TimelineEntry[] {
    return this.list;
  }

  get size(): number {
    return this.list.length;
  }

  add(entry: TimelineEntry): void {
    this.list.push(entry);
  }

  /** Entries that began at or after `since`. */
  since(since: number): TimelineEntry[] {
    return this.list.filter((entry) => entryTime(entry) >= since);
  }
}

/** Total length of the union of [start, end) intervals: overlapping waits of parallel parts count once. */
export function unionMs(intervals: Array<[number, number]>): number {
  const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let [start, end] = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (const [a, b] of sorted) {
    if (a > end) {
      if (end > start) total += end - start;
      [start, end] = [a, b];
    } else end = Math.max(end, b);
  }
  if (end > start) total += end - start;
  return total;
}

export interface RunFacts {
  outcome: UploadSummary["outcome"];
  partSize: number;
  concurrency: number;
  checksum: UploadSummary["checksum"];
  /** When the run started and ended. */
  startedAt: number;
  endedAt: number;
  /** Part sizes, by part number, to count the bytes the run stored. */
  partBytes: (part: number) => number;
  failureReason?: string;
}

/**
 * The summary of one run (its entries: those since it started): attempts per stored part, retries by
 * reason, bytes sent again, time spent waiting (the union of the waits, so parallel waits count once),
 * and the throughput while sending.
 */
export function summarize(entries: readonly TimelineEntry[], run: RunFacts): UploadSummary {
  const attempts = entries.filter((e): e is AttemptEntry => e.kind === "attempt");
  const perPart = new Map<number, number>();
  for (const a of attempts) perPart.set(a.part, (perPart.get(a.part) ?? 0) + 1);
  const stored = [...new Set(attempts.filter((a) => a.outcome === "stored").map((a) => a.part))];
  const attemptsPerPart: Record<string, number> = {};
  for (const part of stored) {
    const count = String(Math.min(100, perPart.get(part)!));
    attemptsPerPart[count] = (attemptsPerPart[count] ?? 0) + 1;
  }
  const retries: Partial<Record<RetryReason, number>> = {};
  for (const a of attempts)
    if (a.outcome === "failed" && a.next !== "fatal" && a.category)
      retries[a.category] = (retries[a.category] ?? 0) + 1;
  const bytesResent = attempts.filter((a) => a.outcome !== "stored").reduce((sum, a) => sum + a.sentBytes, 0);
  const durationMs = Math.max(0, Math.round(run.endedAt - run.startedAt));
  const waits = entries.filter((e): e is WaitEntry => e.kind === "wait");
  const waitingMs = Math.min(
    durationMs,
    Math.round(unionMs(waits.map((w) => [w.startedAt, Math.min(run.endedAt, w.startedAt + w.durationMs)]))),
  );
  const storedBytes = stored.reduce((sum, part) => sum + run.partBytes(part), 0);
  const sendingMs = durationMs - waitingMs;
  return {
    outcome: run.outcome,
    partSize: run.partSize,
    concurrency: run.concurrency,
    checksum: run.checksum,
    attemptsPerPart,
    retries,
    bytesResent,
    waitingMs,
    durationMs,
    throughputBytesPerSecond: sendingMs > 0 ? Math.round((storedBytes * 1000) / sendingMs) : 0,
    ...(run.failureReason ? { failureReason: run.failureReason.slice(0, 500) } : {}),
  };
}

/** What "Copy as JSON" copies: the upload, then every entry with its times as ISO 8601. */
export function timelineJson(upload: { uploadId?: string; fileName: string; totalBytes: number }, log: AttemptLog) {
  const iso = (ms: number) => new Date(ms).toISOString();
  const entries = inTimeOrder(log.entries).map((entry) =>
    entry.kind === "resign" ? { ...entry, at: iso(entry.at) } : { ...entry, startedAt: iso(entry.startedAt) },
  );
  return JSON.stringify({ ...upload, entries }, null, 2);
}
