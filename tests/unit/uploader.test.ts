import { uploadSummarySchema } from "~/shared/upload-summary";
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createUploadInput } from "~/upload/api";
import { FakeLocks, memoryHasher } from "../support/fake-upload-backend.js";
import type { SliceHasher } from "~/upload/hash";
import { MiB, entriesOf, failedAttempts, fileOf, harness, settle, tick, waitFor } from "../support/uploader-harness.js";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
});
afterEach(() => vi.useRealTimers());

describe("the uploader", () => {
  it("sends every part once, completes, and checks S3's composite checksum", async () => {
    const { file, bytes } = fileOf(12 * MiB);
    const h = harness(file);
    const state = await settle(h);
    expect(state.phase).toBe("done");
    expect(h.backend.calls.transport.sort()).toEqual([1, 2, 3]);
    expect(h.backend.calls.complete).toBe(1);
    const stored = Buffer.concat([1, 2, 3].map((n) => bytes.subarray((n - 1) * 5 * MiB, n * 5 * MiB)));
    expect(createHash("sha256").update(stored).digest("hex")).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(state.displayedBytes).toBe(file.size);
    expect(h.store.records.size).toBe(0);
  });

  it("never has more than `concurrency` parts in flight, and hashes one slice at a time", async () => {
    const { file } = fileOf(40 * MiB);
    let hashing = 0;
    let maxHashing = 0;
    const h = harness(file, (b) => {
      b.concurrency = 3;
      b.onTransfer = () => new Promise((resolve) => setTimeout(resolve, 1000));
    });
    const original = memoryHasher;
    (h.upload as unknown as { deps: { hasher: SliceHasher } }).deps.hasher = async (blob, algorithm) => {
      hashing += 1;
      maxHashing = Math.max(maxHashing, hashing);
      try {
        return await original(blob, algorithm);
      } finally {
        hashing -= 1;
      }
    };
    expect((await settle(h)).phase).toBe("done");
    expect(h.backend.maxInFlight).toBeLessThanOrEqual(3);
    expect(h.backend.maxInFlight).toBeGreaterThan(1);
    expect(maxHashing).toBe(1);
  });

  it("signs URLs in batches rather than one call per part", async () => {
    const { file } = fileOf(60 * MiB);
    const h = harness(file, (b) => {
      b.concurrency = 4;
      b.onTransfer = () => new Promise((resolve) => setTimeout(resolve, 1000));
    });
    expect((await settle(h)).phase).toBe("done");
    const signed = h.backend.calls.sign.flat();
    expect(new Set(signed).size).toBe(12);
    expect(h.backend.calls.sign.length).toBeLessThan(12);
  });

  it("retries a failing part with backoff and logs each attempt and wait", async () => {
    const { file } = fileOf(11 * MiB);
    const h = harness(file, (b) =>
      b.failures.set(2, [{ type: "http", status: 500, code: "InternalError" }, { type: "network" }]),
    );
    const state = await settle(h);
    expect(state.phase).toBe("done");
    expect(h.backend.calls.transport.filter((n) => n === 2)).toHaveLength(3);
    const partTwo = state.timeline.entries.filter((e) => (e.kind === "attempt" || e.kind === "wait") && e.part === 2);
    expect(
      partTwo.map((e) =>
        e.kind === "attempt"
          ? [e.attempt, e.outcome, e.reason, e.category]
          : e.kind === "wait"
            ? [e.why, e.durationMs]
            : [],
      ),
    ).toEqual([
      [1, "failed", "storage error 500 InternalError", "server_error"],
      // random() is 0.5: half the ceiling of 1 s, then of 2 s.
      ["backoff", 500],
      [2, "failed", "connection lost", "network"],
      ["backoff", 1000],
      [3, "stored", undefined, undefined],
    ]);
    // Every attempt of every part is there: one per PUT the storage saw.
    expect(entriesOf(state, "attempt")).toHaveLength(h.backend.calls.transport.length);
  });

  it("never gives up on a failure time may cure: after the attempts it waits, probes, and completes", async () => {
    const { file } = fileOf(6 * MiB);
    const h = harness(file, (b) => {
      b.attempts = 3;
      b.failures.set(
        1,
        Array.from({ length: 5 }, () => ({ type: "http" as const, status: 503, code: "SlowDown" })),
      );
    });
    const run = h.upload.start();
    await waitFor(() => h.upload.getState().phase === "waiting");
    expect(h.upload.getState().wait).toMatchObject({ for: "storage", reason: "storage busy (503 SlowDown)" });
    expect(h.upload.getState().parts[0]).toMatchObject({ phase: "retrying", failure: "storage busy (503 SlowDown)" });
    // The first probe (the fourth attempt) fails too; the second gets through.
    await waitFor(() => h.upload.getState().phase === "done", 1000);
    expect((await run).phase).toBe("done");
    expect(h.backend.calls.transport.filter((n) => n === 1)).toHaveLength(6);
    const partOne = <T extends { part: number | null }>(entries: T[]) => entries.filter((e) => e.part === 1);
    const outcomes = partOne(entriesOf(h.upload.getState(), "attempt")).map((a) => a.next ?? a.outcome);
    expect(outcomes).toEqual(["retry", "retry", "wait", "wait", "wait", "stored"]);
    expect(partOne(entriesOf(h.upload.getState(), "wait")).map((w) => w.why)).toEqual([
      "backoff",
      "backoff",
      "waiting",
      "waiting",
      "waiting",
    ]);
    expect(h.backend.calls.abort).toBe(0);
  });

  it("probes at once on Try now", async () => {
    const { file } = fileOf(4 * MiB);
    const h = harness(file, (b) => {
      b.attempts = 1;
      b.failures.set(1, [{ type: "http", status: 500 }]);
    });
    void h.upload.start();
    await waitFor(() => h.upload.getState().phase === "waiting");
    const sent = h.backend.calls.transport.length;
    h.upload.tryNow();
    await waitFor(() => h.upload.getState().phase === "done", 1);
    expect(h.backend.calls.transport.length).toBe(sent + 1);
  });

  it("stops with a plain message, leaving the upload resumable, when the file can no longer be read", async () => {
    const { file } = fileOf(16 * MiB);
    let reads = 0;
    // The first slice reads; then the file changes on disk and the browser refuses to read it again.
    const h = harness(file, undefined, {
      hasher: async (blob, algorithm) => {
        reads += 1;
        if (reads > 1) throw new DOMException("The requested file could not be read.", "NotReadableError");
        return memoryHasher(blob, algorithm);
      },
    });
    const state = await settle(h);
    expect(state.phase).toBe("failed");
    expect(state.error).toBe(
      "“clip.mp4” can no longer be read: it was moved, changed or deleted since it was chosen. Choose it again to continue.",
    );
    expect(state.resumable).toBe(true);
    expect(state.parts.filter((p) => p.phase === "failed")).toHaveLength(1);
    expect(h.backend.aborted).toBe(false);
  });

  it("stops with a plain message when the upload no longer exists on the server", async () => {
    const { file } = fileOf(6 * MiB);
    const h = harness(file, (b) => (b.gone = true));
    const state = await settle(h);
    expect(state.phase).toBe("failed");
    expect(state.error).toBe("This upload no longer exists on the server.");
    expect(h.store.records.size).toBe(0);
    // Its square says so, with the reason; none is left "uploading".
    expect(state.parts[0]).toMatchObject({ phase: "failed", failure: "This upload no longer exists on the server." });
    expect(state.parts.some((p) => p.phase === "uploading")).toBe(false);
  });

  it("re-signs a part whose URL expired, then sends it", async () => {
    const { file } = fileOf(6 * MiB);
    const h = harness(file, (b) => {
      b.urlTtlSeconds = 60;
      // The first attempt at part 1 takes longer than the URL lives.
      let first = true;
      b.onTransfer = async (n) => {
        if (n === 1 && first) {
          first = false;
          await vi.advanceTimersByTimeAsync(0);
          vi.setSystemTime(Date.now() + 61_000);
        }
      };
    });
    const state = await settle(h);
    expect(state.phase).toBe("done");
    expect(h.backend.calls.sign.filter((batch) => batch.includes(1)).length).toBeGreaterThanOrEqual(2);
    expect(failedAttempts(state).some((a) => a.reason === "upload link expired" && a.category === "expired")).toBe(
      true,
    );
  });

  it("re-signs ahead of time a URL about to expire instead of sending it", async () => {
    const { file } = fileOf(11 * MiB);
    const h = harness(file, (b) => {
      b.urlTtlSeconds = 60;
      b.concurrency = 1;
      b.onTransfer = async () => {
        // Each part takes 50 s: URLs signed in a batch at the start are stale for the last part.
        vi.setSystemTime(Date.now() + 50_000);
      };
    });
    const state = await settle(h);
    expect(state.phase).toBe("done");
    expect(failedAttempts(state)).toEqual([]);
    expect(h.backend.calls.sign.length).toBeGreaterThanOrEqual(2);
    // The re-signs ahead of expiry are in the timeline, with why.
    expect(entriesOf(state, "resign").length).toBeGreaterThanOrEqual(1);
    expect(entriesOf(state, "resign").every((e) => e.reason === "link about to expire")).toBe(true);
  });

  it("re-hashes and re-signs after BadDigest", async () => {
    const { file } = fileOf(6 * MiB);
    const h = harness(file, (b) => b.failures.set(2, [{ type: "http", status: 400, code: "BadDigest" }]));
    const state = await settle(h);
    expect(state.phase).toBe("done");
    expect(h.hashes.filter((size) => size === 1 * MiB)).toHaveLength(2);
  });

  it("resumes: parts the server already has are not sent again", async () => {
    const { file, bytes } = fileOf(16 * MiB);
    const h = harness(file, (b) => {
      b.view = undefined;
    });
    await h.backend.api.create({ ...createUploadInput(file), fingerprint: "x" });
    await h.backend.preload(1, bytes.subarray(0, 5 * MiB));
    await h.backend.preload(3, bytes.subarray(10 * MiB, 15 * MiB));
    const state = await settle(h);
    expect(state.phase).toBe("done");
    expect(state.resumedParts).toBe(2);
    expect(h.backend.calls.transport.sort()).toEqual([2, 4]);
  });

  it("re-sends a part the server has with other bytes than this file", async () => {
    const { file, bytes } = fileOf(11 * MiB);
    const h = harness(file);
    await h.backend.api.create({ ...createUploadInput(file), fingerprint: "x" });
    await h.backend.preload(1, bytes.subarray(0, 5 * MiB));
    await h.backend.preload(2, Buffer.alloc(5 * MiB, 7));
    const state = await settle(h);
    expect(state.phase).toBe("done");
    expect(h.backend.calls.transport.sort()).toEqual([2, 3]);
  });

  it("waits while offline without using up attempts, and continues when the connection returns", async () => {
    const { file } = fileOf(11 * MiB);
    const h = harness(file, (b) => (b.attempts = 2), { online: false });
    const run = h.upload.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.upload.getState().phase).toBe("offline");
    expect(h.backend.calls.transport).toEqual([]);
    h.online.set(true);
    let done = false;
    void run.then(() => (done = true));
    await waitFor(() => done);
    expect(h.upload.getState().phase).toBe("done");
  });

  it("pauses in-flight parts when the browser goes offline mid-upload and retries them after", async () => {
    const { file } = fileOf(11 * MiB);
    const h = harness(file, (b) => b.failures.set(1, ["hang"]));
    void h.upload.start();
    await waitFor(() => h.backend.calls.transport.includes(1));
    h.online.set(false);
    expect(h.upload.getState().phase).toBe("offline");
    await vi.advanceTimersByTimeAsync(30_000);
    h.online.set(true);
    await waitFor(() => h.upload.getState().phase === "done");
    expect(h.backend.calls.transport.filter((n) => n === 1).length).toBe(2);
  });

  it("goes to 'reconnecting' after several network failures in a row, sends nothing meanwhile, and resumes when a probe succeeds", async () => {
    const { file } = fileOf(21 * MiB);
    let reachable = false;
    const h = harness(file, (b) => {
      b.attempts = 5;
      for (const n of [1, 2, 3, 4, 5]) b.failures.set(n, [{ type: "network" }, { type: "network" }]);
    });
    (h.upload as unknown as { deps: { probe: () => Promise<boolean> } }).deps.probe = async () => reachable;
    void h.upload.start();
    await waitFor(() => h.upload.getState().phase === "reconnecting");
    const sent = h.backend.calls.transport.length;
    await tick(60_000);
    expect(h.upload.getState().phase).toBe("reconnecting");
    expect(h.backend.calls.transport.length).toBe(sent);
    reachable = true;
    await waitFor(() => ["done", "failed"].includes(h.upload.getState().phase));
    expect(h.upload.getState().error).toBeUndefined();
    expect(h.upload.getState().phase).toBe("done");
  });

  it("shows progress that never goes backwards, even when an attempt fails half-way", async () => {
    const { file } = fileOf(16 * MiB);
    const h = harness(file, (b) => {
      b.failures.set(2, [{ type: "network" }, { type: "http", status: 500 }]);
      // Each attempt takes a moment after reporting half its bytes, long enough for progress to be shown.
      b.onTransfer = () => new Promise((resolve) => setTimeout(resolve, 300));
    });
    expect((await settle(h)).phase).toBe("done");
    const shown = h.states.map((s) => s.displayedBytes);
    for (let i = 1; i < shown.length; i += 1) expect(shown[i]).toBeGreaterThanOrEqual(shown[i - 1]!);
    expect(shown.at(-1)).toBe(file.size);
    // The failed attempts really reported progress that was then lost.
    expect(h.states.some((s) => s.inFlightBytes > 0)).toBe(true);
  });

  it("shows no speed or ETA while nothing is confirmed, and says nothing moves once bytes stop", async () => {
    const { file } = fileOf(16 * MiB);
    // Every part reports half its bytes, then its connection goes quiet.
    const h = harness(file, (b) => [1, 2, 3, 4].forEach((n) => b.failures.set(n, ["hang"])));
    void h.upload.start();
    await waitFor(() => h.backend.calls.transport.length === 3);
    await tick(600);
    const moving = h.upload.getState();
    expect(moving).toMatchObject({ moving: true, speedBps: null, etaSeconds: null });
    for (let i = 0; i < 12; i += 1) await tick(500);
    const quiet = h.upload.getState();
    expect(quiet.displayedBytes).toBe(moving.displayedBytes);
    expect(quiet).toMatchObject({ moving: false, speedBps: null, etaSeconds: null });
    expect(quiet.parts.some((p) => p.phase === "stalled")).toBe(false);
    // Half the stall timeout (30 s here) without progress: the parts show as stalled.
    for (let i = 0; i < 20; i += 1) await tick(500);
    const stalled = h.upload.getState().parts.filter((p) => p.phase === "stalled");
    expect(stalled.map((p) => p.partNumber)).toEqual([1, 2, 3]);
    await h.upload.cancel();
  });

  it("pauses (aborting what is in flight) and resumes on request", async () => {
    const { file } = fileOf(11 * MiB);
    const h = harness(file, (b) => b.failures.set(1, ["hang"]));
    void h.upload.start();
    await waitFor(() => h.backend.calls.transport.includes(1));
    h.upload.pause();
    expect(h.upload.getState().phase).toBe("paused");
    const sentWhilePaused = h.backend.calls.transport.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.backend.calls.transport.length).toBe(sentWhilePaused);
    // A paused upload lets go of its lock: another tab may continue it.
    expect(h.locks.held.size).toBe(0);
    expect(h.upload.getState().parts.some((p) => ["uploading", "hashing", "signing"].includes(p.phase))).toBe(false);
    h.upload.resume();
    await waitFor(() => h.upload.getState().phase === "done");
  });

  it("cancels: aborts on the server and forgets the resume state", async () => {
    const { file } = fileOf(11 * MiB);
    const h = harness(file, (b) => b.failures.set(1, ["hang"]));
    const run = h.upload.start();
    await waitFor(() => h.backend.calls.transport.includes(1));
    await h.upload.cancel();
    await run;
    expect(h.upload.getState().phase).toBe("cancelled");
    expect(h.backend.calls.abort).toBe(1);
    expect(h.store.records.size).toBe(0);
  });

  it("removes a finished upload: deletes it on the server, once; says so when the server cannot be told", async () => {
    const { file } = fileOf(6 * MiB);
    const h = harness(file);
    await h.upload.start();
    expect(h.upload.getState().phase).toBe("done");
    expect(await h.upload.removeFinished()).toBe(true);
    expect(h.backend.calls.abort).toBe(1);
    expect(h.backend.aborted).toBe(true);

    const other = harness(fileOf(6 * MiB, 2).file);
    await other.upload.start();
    other.backend.apiFailures.push({ call: "abort", status: 403 });
    expect(await other.upload.removeFinished()).toBe(false);
    expect(other.backend.aborted).toBe(false);
  });

  it("lets only one tab drive an upload", async () => {
    const { file } = fileOf(6 * MiB);
    const locks = new FakeLocks();
    locks.held.add("feedup-upload:11111111-2222-4333-8444-555555555555");
    const h = harness(file, () => undefined, { locks });
    void h.upload.start();
    await tick(1000);
    expect(h.upload.getState().phase).toBe("locked");
    expect(h.backend.calls.transport).toEqual([]);
  });

  it("keeps resume state after each finished part", async () => {
    const { file } = fileOf(16 * MiB);
    const h = harness(file, (b) =>
      b.failures.set(
        4,
        Array.from({ length: 10 }, () => ({
          type: "http" as const,
          status: 400,
          code: "InvalidArgument",
          message: "nope",
        })),
      ),
    );
    const state = await settle(h);
    expect(state.phase).toBe("failed");
    const record = h.store.records.get("11111111-2222-4333-8444-555555555555")!;
    expect(record.userId).toBe("user-1");
    expect(Object.keys(record.parts).length).toBeGreaterThanOrEqual(1);
  });
});

describe("the summary the uploader reports", () => {
  it("at completion: attempts per part, retries by reason and bytes sent again, from the timeline", async () => {
    const { file } = fileOf(11 * MiB);
    const h = harness(file, (b) => b.failures.set(2, [{ type: "http", status: 503, code: "SlowDown" }]));
    expect((await settle(h)).phase).toBe("done");
    expect(h.backend.summaries).toHaveLength(1);
    const summary = h.backend.summaries[0]!;
    expect(summary).toMatchObject({
      outcome: "completed",
      partSize: 5 * MiB,
      concurrency: 3,
      checksum: "sha256",
      attemptsPerPart: { "1": 2, "2": 1 },
      retries: { throttled: 1 },
    });
    expect(summary.waitingMs).toBeGreaterThan(0);
    expect(summary.waitingMs).toBeLessThanOrEqual(summary.durationMs);
    expect(uploadSummarySchema.safeParse(summary).success).toBe(true);
  });

  it("on failure, with the reason; a refused report changes nothing for the upload", async () => {
    const { file } = fileOf(6 * MiB);
    const h = harness(file, (b) => {
      b.failures.set(1, [{ type: "http", status: 400, code: "InvalidArgument", message: "Bad argument" }]);
      b.apiFailures.push({ call: "reportSummary", status: 500 });
    });
    const state = await settle(h);
    expect(state).toMatchObject({ phase: "failed", error: "Bad argument", resumable: true });
    // The one report was refused (500) and not sent again: best effort.
    expect(h.backend.summaries).toEqual([]);
    const ok = harness(fileOf(6 * MiB, 2).file, (b) =>
      b.failures.set(1, [{ type: "http", status: 400, code: "InvalidArgument", message: "Bad argument" }]),
    );
    await settle(ok);
    expect(ok.backend.summaries).toHaveLength(1);
    expect(ok.backend.summaries[0]).toMatchObject({ outcome: "failed", failureReason: "Bad argument" });
    expect(uploadSummarySchema.safeParse(ok.backend.summaries[0]).success).toBe(true);
  });
});
