import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EMIT_INTERVAL_MS, SPEED_SAMPLE_MS } from "~/upload/progress";
import { UploadStateStore, isActivePhase, type UploadState } from "~/upload/upload-state";
import { ManualClock, settled } from "../support/manual-clock.js";

const plan = { fileSize: 12, partSize: 5, partCount: 3 };

function store() {
  const clock = new ManualClock();
  const state = new UploadStateStore({ name: "clip.mp4", size: 12 }, clock);
  const seen: UploadState[] = [];
  state.subscribe((s) => seen.push(s));
  return { clock, state, seen };
}

beforeEach(() => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] }));
afterEach(() => vi.useRealTimers());

describe("upload state", () => {
  it("starts with the file and no progress", () => {
    const { state } = store();
    expect(state.current).toMatchObject({
      phase: "starting",
      fileName: "clip.mp4",
      totalBytes: 12,
      displayedBytes: 0,
      etaSeconds: null,
      parts: [],
      resumable: false,
    });
  });

  it("sets up the parts from the plan, counting those the server has as done and confirmed", () => {
    const { state } = store();
    state.startParts(plan, new Set([2]));
    expect(state.current.parts.map((p) => [p.partNumber, p.size, p.phase])).toEqual([
      [1, 5, "pending"],
      [2, 5, "done"],
      [3, 2, "pending"],
    ]);
    expect(state.current).toMatchObject({ confirmedBytes: 5, displayedBytes: 5, resumedParts: 1 });
  });

  it("tells listeners at once of changes, and of byte progress at most every EMIT_INTERVAL_MS", () => {
    const { state, seen } = store();
    state.startParts(plan, new Set());
    const before = seen.length;
    state.partProgress(1, 1);
    state.partProgress(1, 2);
    state.partProgress(1, 3);
    expect(seen.length).toBe(before);
    vi.advanceTimersByTime(EMIT_INTERVAL_MS);
    expect(seen.length).toBe(before + 1);
    expect(seen.at(-1)).toMatchObject({ inFlightBytes: 3, displayedBytes: 3 });
    state.updatePart(1, { phase: "uploading" });
    expect(seen.length).toBe(before + 2);
  });

  it("moves a part to done and back when it must be sent again", () => {
    const { state } = store();
    state.startParts(plan, new Set());
    state.partProgress(1, 4);
    state.partDone(1);
    expect(state.current).toMatchObject({ confirmedBytes: 5, inFlightBytes: 0, displayedBytes: 5 });
    expect(state.current.parts[0]).toMatchObject({ phase: "done", sentBytes: 0 });
    state.requeue(1);
    state.requeue(3); // not done: nothing to take back
    expect(state.current.parts[0]!.phase).toBe("pending");
    expect(state.current).toMatchObject({ confirmedBytes: 0, displayedBytes: 5 });
  });

  it("clamps a part's progress to its size", () => {
    const { state } = store();
    state.startParts(plan, new Set());
    state.partProgress(3, 99);
    expect(state.current.parts[2]!.sentBytes).toBe(2);
  });

  it("keeps the 50 most recent retries", () => {
    const { state } = store();
    for (let i = 1; i <= 60; i += 1) state.recordRetry({ partNumber: 1, attempt: i, reason: "x", delayMs: 0, at: i });
    expect(state.current.retries).toHaveLength(50);
    expect(state.current.retries[0]!.attempt).toBe(11);
    expect(state.current.retries.at(-1)!.attempt).toBe(60);
  });

  it("wakes those waiting for the phase to change, only when it changes", async () => {
    const { state } = store();
    let woken = 0;
    void state.phaseChange().then(() => (woken += 1));
    state.setPhase("starting");
    await settled();
    expect(woken).toBe(0);
    state.setPhase("paused");
    await settled();
    expect(woken).toBe(1);
    expect(state.current.phase).toBe("paused");
  });

  it("computes the progress figures on every change", () => {
    const { state } = store();
    state.startParts(plan, new Set([1, 2]));
    state.partProgress(3, 1);
    expect(state.current).toMatchObject({ confirmedBytes: 10, inFlightBytes: 1, displayedBytes: 11 });
    state.partDone(3);
    state.patch({ phase: "done" });
    expect(state.current).toMatchObject({ confirmedBytes: 12, inFlightBytes: 0, displayedBytes: 12 });
  });

  it("samples speed on a timer only while the upload is under way", async () => {
    const { state, clock, seen } = store();
    state.startParts(plan, new Set());
    const stop = state.sampleWhileActive();
    const count = seen.length;
    vi.advanceTimersByTime(SPEED_SAMPLE_MS * 2);
    expect(seen.length).toBe(count);
    state.setPhase("uploading");
    state.partProgress(1, 5);
    await clock.advance(SPEED_SAMPLE_MS);
    // No progress event comes: the timer's sample sees 5 bytes in half a second.
    vi.advanceTimersByTime(SPEED_SAMPLE_MS);
    expect(state.current.speedBps).toBe(10);
    stop();
    vi.advanceTimersByTime(EMIT_INTERVAL_MS);
    const stopped = seen.length;
    vi.advanceTimersByTime(SPEED_SAMPLE_MS * 4);
    expect(seen.length).toBe(stopped);
  });

  it("knows which phases are under way", () => {
    expect(["uploading", "reconnecting", "offline"].every((p) => isActivePhase(p as never))).toBe(true);
    expect(
      ["starting", "paused", "finishing", "done", "failed", "cancelled", "locked"].some((p) =>
        isActivePhase(p as never),
      ),
    ).toBe(false);
  });
});
