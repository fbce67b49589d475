import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EMIT_INTERVAL_MS, QUIET_MS, SPEED_SAMPLE_MS } from "~/upload/progress";
import { UploadStateStore, isActivePhase, isRunningPhase, type UploadState } from "~/upload/upload-state";
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

  it("keeps every timeline entry (nothing dropped), and each one makes a new state", () => {
    const { state } = store();
    const seen: number[] = [];
    state.subscribe((s) => seen.push(s.timelineSize));
    const entry = { kind: "resign" as const, part: 1, reason: "x" };
    for (let i = 1; i <= 1000; i += 1) state.logEntry({ ...entry, at: i });
    expect(state.current.timeline.size).toBe(1000);
    expect(state.current.timelineSize).toBe(1000);
    expect(state.current.timeline.entries[0]).toEqual({ ...entry, at: 1 });
    expect(seen.at(-1)).toBe(1000);
  });

  it("shows a sending part that moved no byte for a while as stalled, until it moves again", async () => {
    const { state, clock } = store();
    state.startParts(plan, new Set());
    state.setPhase("uploading");
    const stop = state.sampleWhileActive();
    state.partSending(1, 1);
    state.partSending(2, 1);
    state.partProgress(1, 1);
    await clock.advance(QUIET_MS - 100);
    state.partProgress(2, 1);
    await clock.advance(100);
    vi.advanceTimersByTime(SPEED_SAMPLE_MS);
    expect(state.current.parts.slice(0, 2).map((p) => p.phase)).toEqual(["stalled", "uploading"]);
    state.partProgress(1, 2);
    expect(state.current.parts[0]!.phase).toBe("uploading");
    stop();
  });

  it("marks a failed attempt's part retrying with its reason, and the fatal one failed", () => {
    const { state } = store();
    state.startParts(plan, new Set());
    state.partSending(1, 1);
    state.partProgress(1, 3);
    state.partFailed(1, "storage error 500");
    expect(state.current.parts[0]).toMatchObject({ phase: "retrying", sentBytes: 0, failure: "storage error 500" });
    state.partFailed(2, "refused", true);
    expect(state.current.parts[1]).toMatchObject({ phase: "failed", failure: "refused" });
  });

  it("puts parts left mid-attempt by a stopped run back to pending, never leaving one 'uploading'", () => {
    const { state } = store();
    state.startParts(plan, new Set([3]));
    state.partSending(1, 1);
    state.updatePart(2, { phase: "signing" });
    state.settleUnfinishedParts();
    expect(state.current.parts.map((p) => p.phase)).toEqual(["pending", "pending", "done"]);
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

  it("refreshes the figures on a timer only while the upload is under way", async () => {
    const { state, clock, seen } = store();
    state.startParts(plan, new Set());
    const stop = state.sampleWhileActive();
    const count = seen.length;
    vi.advanceTimersByTime(SPEED_SAMPLE_MS * 2);
    expect(seen.length).toBe(count);
    state.setPhase("uploading");
    state.partDone(1);
    await clock.advance(SPEED_SAMPLE_MS);
    vi.advanceTimersByTime(SPEED_SAMPLE_MS);
    expect(state.current.speedBps).toBe(10);
    // No event comes: the timer's refresh lets the rate fall.
    await clock.advance(SPEED_SAMPLE_MS);
    vi.advanceTimersByTime(SPEED_SAMPLE_MS);
    expect(state.current.speedBps).toBe(5);
    stop();
    vi.advanceTimersByTime(EMIT_INTERVAL_MS);
    const stopped = seen.length;
    vi.advanceTimersByTime(SPEED_SAMPLE_MS * 4);
    expect(seen.length).toBe(stopped);
  });

  it("restarts the speed from fresh samples when a wait or pause ends", async () => {
    const { state, clock } = store();
    state.startParts(plan, new Set());
    state.setPhase("uploading");
    state.partDone(1);
    await clock.advance(1000);
    state.setPhase("paused");
    await clock.advance(60_000);
    state.setPhase("uploading");
    expect(state.current.speedBps).toBeNull();
  });

  it("knows which phases are under way", () => {
    expect(
      ["uploading", "reconnecting", "offline", "waiting", "signed-out"].every((p) => isActivePhase(p as never)),
    ).toBe(true);
    expect(["starting", "finishing", "waiting"].every((p) => isRunningPhase(p as never))).toBe(true);
    expect(["paused", "done", "failed", "locked", "cancelled"].some((p) => isRunningPhase(p as never))).toBe(false);
    expect(
      ["starting", "paused", "finishing", "done", "failed", "cancelled", "locked"].some((p) =>
        isActivePhase(p as never),
      ),
    ).toBe(false);
  });
});
