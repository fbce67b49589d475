import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "~/upload/api";
import { RECORD_BATCH } from "~/upload/upload-run";
import { MiB, fileOf, harness, settle, tick, waitFor } from "../support/uploader-harness.js";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("recording stored parts", () => {
  it("records parts in batches (at most one call per 8 parts), every part once", async () => {
    // 20 parts of 5 MiB (the last 1 MiB).
    const { file } = fileOf(96 * MiB);
    const h = harness(file);
    const state = await settle(h);
    expect(state.phase).toBe("done");
    const batches = h.backend.calls.record;
    expect(batches.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(batches.every((b) => b.length <= RECORD_BATCH.parts)).toBe(true);
    expect(batches.length).toBeLessThan(20);
    expect(batches.length).toBeGreaterThanOrEqual(Math.ceil(20 / RECORD_BATCH.parts));
  });

  it("frees a part's slot when storage answers, not when the server has recorded it", async () => {
    const { file } = fileOf(11 * MiB);
    const h = harness(file, (b) => (b.concurrency = 1));
    const held: Array<() => void> = [];
    const recordParts = h.backend.api.recordParts;
    h.backend.api.recordParts = (id, parts) =>
      new Promise<void>((resolve, reject) => held.push(() => recordParts(id, parts).then(resolve, reject)));
    const finished = h.upload.start();
    // One part at a time, and no record answered: all three parts still go out.
    await waitFor(() => h.backend.calls.transport.length === 3);
    await tick(RECORD_BATCH.maxDelayMs);
    expect(h.upload.getState().phase).not.toBe("done");
    // Completion waits for the records.
    expect(h.backend.calls.complete).toBe(0);
    while (held.length > 0) held.shift()!();
    await waitFor(() => h.upload.getState().phase === "done");
    expect(h.backend.calls.complete).toBe(1);
    expect((await finished).phase).toBe("done");
  });

  it("a record the server refuses fails the upload with its message, and that batch's parts show it", async () => {
    const { file } = fileOf(11 * MiB);
    const h = harness(file, (b) => {
      b.api.recordParts = async () => {
        throw new ApiError(400, "unknown_part", "Storage has no part 2 with this ETag and checksum.");
      };
    });
    const state = await settle(h);
    expect(state.phase).toBe("failed");
    expect(state.error).toBe("Storage has no part 2 with this ETag and checksum.");
    expect(h.backend.calls.complete).toBe(0);
    const failed = state.parts.filter((p) => p.phase === "failed");
    expect(failed.length).toBeGreaterThan(0);
    for (const p of failed) expect(p.failure).toBe("Storage has no part 2 with this ETag and checksum.");
  });

  it("a record that meets an outage is retried like any API call, and the upload completes", async () => {
    const { file } = fileOf(11 * MiB);
    const h = harness(file, (b) => b.apiFailures.push({ call: "recordParts", status: 503 }));
    const state = await settle(h);
    expect(state.phase).toBe("done");
    const calls = state.timeline.entries.filter((e) => e.kind === "call" && e.call === "record");
    expect(calls.map((e) => e.kind === "call" && e.reason)).toEqual(["the app answered 503"]);
  });
});

describe("recording when a run stops", () => {
  it("parts stored before the upload fails are recorded all the same", async () => {
    const { file } = fileOf(16 * MiB);
    const h = harness(file, (b) => {
      b.concurrency = 1;
      // Part 3 is refused for good: the run fails after parts 1 and 2 are stored, before a batch is full.
      b.failures.set(3, [{ type: "http", status: 400, code: "InvalidRequest" }]);
    });
    const state = await settle(h);
    expect(state.phase).toBe("failed");
    expect(h.backend.calls.record.flat().sort()).toEqual([1, 2]);
  });

  it("a paused upload records what it stored before the pause", async () => {
    const { file } = fileOf(16 * MiB);
    const h = harness(file, (b) => (b.concurrency = 1));
    // The person pauses while part 3 is on its way: parts 1 and 2 are stored, and no batch is full yet.
    h.backend.onTransfer = async (n) => {
      if (n === 3) h.upload.pause();
    };
    void h.upload.start();
    await waitFor(() => h.upload.getState().phase === "paused");
    await waitFor(() => h.backend.calls.record.flat().length >= 2);
    expect(h.backend.calls.record.flat().sort()).toEqual([1, 2]);
    expect(h.backend.calls.complete).toBe(0);
  });
});
