import { describe, expect, it } from "vitest";
import { ApiError, type RecordedPart } from "~/upload/api";
import { PartRecorder } from "~/upload/part-recorder";

const part = (n: number): RecordedPart => ({
  partNumber: n,
  etag: `"etag-${n}"`,
  checksum: { algorithm: "CRC64NVME", value: `c${n}` },
});

/** A recorder whose timer and server are driven by the test. */
function recorder() {
  const batches: number[][] = [];
  const timers: Array<{ fire: () => void; cancel: () => void }> = [];
  const answers: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  const failures: Array<[unknown, number[]]> = [];
  const afterStop: number[][] = [];
  let answerAtOnce = true;
  const r = new PartRecorder({
    record: (parts) => {
      batches.push(parts.map((p) => p.partNumber));
      if (answerAtOnce) return Promise.resolve();
      return new Promise<void>((resolve, reject) => answers.push({ resolve, reject }));
    },
    sleep: () =>
      new Promise<void>((resolve, reject) =>
        timers.push({ fire: resolve, cancel: () => reject(new DOMException("Stopped", "AbortError")) }),
      ),
    recordAfterStop: async (parts) => void afterStop.push(parts.map((p) => p.partNumber)),
    onFailure: (error, parts) => failures.push([error, parts]),
    batchSize: 3,
    maxDelayMs: 1000,
  });
  return {
    r,
    batches,
    timers,
    answers,
    failures,
    afterStop,
    holdAnswers: () => void (answerAtOnce = false),
  };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("recording stored parts in the background", () => {
  it("sends a batch as soon as it is full, and the rest when the timer fires", async () => {
    const t = recorder();
    for (const n of [1, 2, 3, 4]) t.r.add(part(n));
    await settled();
    expect(t.batches).toEqual([[1, 2, 3]]);
    // One timer for the first pending part; part 4 waits for it.
    expect(t.timers).toHaveLength(1);
    t.timers[0]!.fire();
    await settled();
    expect(t.batches).toEqual([[1, 2, 3], [4]]);
  });

  it("flush sends what is pending and waits for every batch to be recorded", async () => {
    const t = recorder();
    t.holdAnswers();
    t.r.add(part(1));
    let flushed = false;
    const flushing = t.r.flush().then(() => (flushed = true));
    await settled();
    expect(t.batches).toEqual([[1]]);
    expect(flushed).toBe(false);
    t.answers[0]!.resolve();
    await flushing;
    expect(flushed).toBe(true);
  });

  it("sends one call at a time, in the order storage answered", async () => {
    const t = recorder();
    t.holdAnswers();
    for (const n of [5, 2, 7, 1, 3, 4]) t.r.add(part(n));
    await settled();
    expect(t.batches).toEqual([[5, 2, 7]]);
    t.answers[0]!.resolve();
    await settled();
    expect(t.batches).toEqual([
      [5, 2, 7],
      [1, 3, 4],
    ]);
  });

  it("a refused batch is reported once, flush rejects with it, and nothing more is sent", async () => {
    const t = recorder();
    t.holdAnswers();
    for (const n of [1, 2, 3, 4, 5, 6]) t.r.add(part(n));
    await settled();
    const refusal = new ApiError(400, "unknown_part", "Storage has no part 2 with this ETag.");
    t.answers[0]!.reject(refusal);
    await expect(t.r.flush()).rejects.toBe(refusal);
    expect(t.failures).toEqual([[refusal, [1, 2, 3]]]);
    expect(t.batches).toEqual([[1, 2, 3]]);
    expect(t.r.failed?.error).toBe(refusal);
  });

  it("a run that ends mid-call (an abort) is not a failure: storage keeps the parts", async () => {
    const t = recorder();
    t.holdAnswers();
    t.r.add(part(1));
    t.r.add(part(2));
    t.r.add(part(3));
    await settled();
    t.answers[0]!.reject(new DOMException("Stopped", "AbortError"));
    await t.r.flush();
    expect(t.failures).toEqual([]);
    expect(t.r.failed).toBeUndefined();
  });

  it("after the run stops, what is pending goes in one last call once the call in flight has answered", async () => {
    const t = recorder();
    t.holdAnswers();
    for (const n of [1, 2, 3, 4, 5]) t.r.add(part(n));
    t.timers[0]!.cancel();
    let done = false;
    const flushing = t.r.flushAfterStop().then(() => (done = true));
    await settled();
    expect(done).toBe(false);
    t.answers[0]!.resolve();
    await flushing;
    expect(t.batches).toEqual([[1, 2, 3]]);
    expect(t.afterStop).toEqual([[4, 5]]);
  });

  it("after a refused batch, nothing more is recorded, not even after the stop", async () => {
    const t = recorder();
    t.holdAnswers();
    for (const n of [1, 2, 3, 4]) t.r.add(part(n));
    await settled();
    t.answers[0]!.reject(new ApiError(400, "unknown_part", "no"));
    await t.r.flushAfterStop();
    expect(t.afterStop).toEqual([]);
  });

  it("a timer cancelled by the end of the run sends nothing, and a later part arms a new one", async () => {
    const t = recorder();
    t.r.add(part(1));
    t.timers[0]!.cancel();
    await settled();
    expect(t.batches).toEqual([]);
    t.r.add(part(2));
    expect(t.timers).toHaveLength(2);
  });
});
