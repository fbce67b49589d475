import { describe, expect, it } from "vitest";
import {
  AttemptLog,
  inTimeOrder,
  retryReasonOf,
  summarize,
  timelineJson,
  unionMs,
  type AttemptEntry,
  type TimelineEntry,
} from "~/upload/attempt-log";
import { clockTime, shortDuration, timelineCounts, timelineRow } from "~/upload/timeline-text";
import { uploadSummarySchema } from "~/shared/upload-summary";

const MiB = 1024 * 1024;
const attempt = (part: number, n: number, startedAt: number, rest: Partial<AttemptEntry> = {}): AttemptEntry => ({
  kind: "attempt",
  part,
  attempt: n,
  startedAt,
  durationMs: 100,
  sentBytes: 5 * MiB,
  outcome: "stored",
  ...rest,
});

describe("retry reasons", () => {
  it("class each failure the way operators count them", () => {
    const http = (status: number, code?: string, message?: string) =>
      retryReasonOf({ type: "http", status, ...(code ? { code } : {}), ...(message ? { message } : {}) });
    expect(retryReasonOf({ type: "network" })).toBe("network");
    expect(retryReasonOf({ type: "stall" })).toBe("stall");
    expect([http(429), http(503, "SlowDown"), http(400, "SlowDown")]).toEqual(["throttled", "throttled", "throttled"]);
    expect([http(500, "InternalError"), http(502)]).toEqual(["server_error", "server_error"]);
    expect([http(403, "AccessDenied", "Request has expired"), http(400, "ExpiredToken")]).toEqual([
      "expired",
      "expired",
    ]);
    expect([http(403, "SignatureDoesNotMatch"), http(403, "RequestTimeTooSkewed")]).toEqual(["signature", "signature"]);
    expect(http(400, "BadDigest")).toBe("checksum");
    expect([http(400, "RequestTimeout"), http(408)]).toEqual(["network", "network"]);
    expect(http(403, "AccessDenied")).toBe("other");
  });
});

describe("the attempt log", () => {
  it("keeps every entry, and tells those of a run", () => {
    const log = new AttemptLog();
    for (let i = 0; i < 5000; i += 1) log.add(attempt(1 + (i % 10), 1, i));
    expect(log.size).toBe(5000);
    expect(log.since(4990)).toHaveLength(10);
    log.add({ kind: "resign", part: 3, at: 6000, reason: "link about to expire" });
    expect(log.since(5500)).toEqual([{ kind: "resign", part: 3, at: 6000, reason: "link about to expire" }]);
  });

  it("counts overlapping waits once", () => {
    expect(unionMs([])).toBe(0);
    expect(
      unionMs([
        [0, 10],
        [5, 15],
        [20, 30],
        [25, 26],
        [40, 40],
      ]),
    ).toBe(25);
  });
});

describe("the run's summary", () => {
  const entries: TimelineEntry[] = [
    attempt(1, 1, 1000),
    attempt(2, 1, 1000, {
      outcome: "failed",
      sentBytes: 2 * MiB,
      reason: "connection lost",
      category: "network",
      next: "retry",
    }),
    { kind: "wait", part: 2, startedAt: 1100, durationMs: 500, why: "backoff" },
    attempt(2, 2, 1600, {
      outcome: "failed",
      sentBytes: 0,
      reason: "storage error 500",
      category: "server_error",
      next: "retry",
    }),
    { kind: "wait", part: 2, startedAt: 1700, durationMs: 1000, why: "backoff" },
    { kind: "wait", part: 3, startedAt: 1200, durationMs: 1000, why: "held" },
    { kind: "resign", part: 2, at: 2700, reason: "after: connection lost" },
    attempt(2, 3, 2700),
    attempt(3, 1, 2700, { outcome: "interrupted", sentBytes: 1 * MiB }),
    attempt(3, 1, 2800),
    {
      kind: "call",
      call: "record",
      attempt: 1,
      startedAt: 2900,
      durationMs: 10,
      outcome: "failed",
      reason: "the app answered 503",
      next: "retry",
    },
  ];
  const run = {
    outcome: "completed" as const,
    partSize: 5 * MiB,
    concurrency: 4,
    checksum: "sha256" as const,
    startedAt: 1000,
    endedAt: 4000,
    partBytes: () => 5 * MiB,
  };

  it("has attempts per stored part, retries by reason, bytes sent again, waits counted once, and throughput", () => {
    const summary = summarize(entries, run);
    expect(summary).toEqual({
      outcome: "completed",
      partSize: 5 * MiB,
      concurrency: 4,
      checksum: "sha256",
      attemptsPerPart: { "1": 1, "3": 1, "2": 1 },
      retries: { network: 1, server_error: 1 },
      bytesResent: 3 * MiB,
      // Part 2's waits (1100–1600, 1700–2700) and part 3's (1200–2200) overlap: 1100–2700.
      waitingMs: 1600,
      durationMs: 3000,
      throughputBytesPerSecond: Math.round((15 * MiB * 1000) / 1400),
    });
    expect(uploadSummarySchema.safeParse(summary).success).toBe(true);
  });

  it("for a failed run: the reason, the fatal attempt not counted as a retry, and parts not stored left out", () => {
    const failed = summarize(
      [
        attempt(1, 1, 1000),
        attempt(2, 1, 1000, { outcome: "failed", sentBytes: MiB, reason: "refused", category: "other", next: "fatal" }),
      ],
      { ...run, outcome: "failed", failureReason: "The server refused the upload (400 InvalidArgument)." },
    );
    expect(failed).toMatchObject({
      outcome: "failed",
      attemptsPerPart: { "1": 1 },
      retries: {},
      bytesResent: MiB,
      failureReason: "The server refused the upload (400 InvalidArgument).",
    });
    expect(uploadSummarySchema.safeParse(failed).success).toBe(true);
  });

  it("stays within the server's schema when waits outlast the run or nothing was sent", () => {
    const summary = summarize([{ kind: "wait", part: null, startedAt: 0, durationMs: 99_999, why: "held" }], {
      ...run,
      outcome: "failed",
      failureReason: "x".repeat(800),
    });
    expect(summary).toMatchObject({ waitingMs: 3000, durationMs: 3000, throughputBytesPerSecond: 0 });
    expect(uploadSummarySchema.safeParse(summary).success).toBe(true);
  });
});

describe("the timeline in words and as JSON", () => {
  it("gives each entry a row with its time, subject, outcome and reason", () => {
    const at = new Date(2026, 10, 29, 14, 3, 7, 456).getTime();
    expect(clockTime(at)).toBe("14:03:07.4");
    expect(shortDuration(420)).toBe("0.4 s");
    expect(shortDuration(125_000)).toBe("2 min 5 s");
    const failed = attempt(4, 2, at, {
      outcome: "failed",
      durationMs: 1234,
      sentBytes: 3 * MiB,
      reason: "connection lost",
      next: "retry",
    });
    expect(timelineRow(failed)).toEqual({
      time: "14:03:07.4",
      subject: "Part 4",
      text: "attempt 2 failed after 1.2 s (3 MiB sent): connection lost → tries again",
      tone: "failed",
    });
    expect(timelineRow(attempt(4, 3, at)).text).toBe("attempt 3 stored 5 MiB in 0.1 s");
    expect(timelineRow({ kind: "wait", part: null, startedAt: at, durationMs: 12_000, why: "waiting" }).text).toBe(
      "waited 12 s (waiting for storage or the app to recover)",
    );
    expect(timelineRow({ kind: "resign", part: 4, at, reason: "after: connection lost" })).toMatchObject({
      subject: "Part 4",
      text: "new upload link (after: connection lost)",
    });
    const call = {
      kind: "call",
      call: "sign",
      attempt: 1,
      startedAt: at,
      durationMs: 50,
      outcome: "failed",
      reason: "the app answered 503",
      next: "wait",
    } as const;
    expect(timelineRow(call)).toMatchObject({
      subject: "Sign call",
      text: "attempt 1 failed after 0.1 s: the app answered 503 → upload waits",
    });
    expect(timelineCounts([failed, attempt(4, 3, at), attempt(5, 1, at, { outcome: "interrupted" }), call])).toBe(
      "3 attempts (1 failed, 1 interrupted) · 1 failed call",
    );
  });

  it("copies every entry with ISO times", () => {
    const log = new AttemptLog();
    log.add(attempt(1, 1, Date.UTC(2026, 10, 29, 6, 0, 0)));
    log.add({ kind: "resign", part: 1, at: Date.UTC(2026, 10, 29, 6, 0, 1), reason: "link about to expire" });
    const copied = JSON.parse(timelineJson({ uploadId: "u1", fileName: "clip.mp4", totalBytes: 5 * MiB }, log));
    expect(copied).toEqual({
      uploadId: "u1",
      fileName: "clip.mp4",
      totalBytes: 5 * MiB,
      entries: [
        { ...attempt(1, 1, 0), startedAt: "2026-11-29T06:00:00.000Z" },
        { kind: "resign", part: 1, at: "2026-11-29T06:00:01.000Z", reason: "link about to expire" },
      ],
    });
  });
});

describe("the timeline's order", () => {
  it("is the order things began, ties in the order they were logged", () => {
    const late = attempt(1, 1, 100, { durationMs: 5000 });
    const early = attempt(2, 1, 200);
    const resign = { kind: "resign" as const, part: 3, at: 100, reason: "link about to expire" };
    expect(inTimeOrder([early, late, resign])).toEqual([late, resign, early]);
  });
});
