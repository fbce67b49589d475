import { describe, expect, it } from "vitest";
import { isAbort } from "~/upload/errors";
import { RunControl } from "~/upload/run-control";
import { UploadStateStore } from "~/upload/upload-state";
import { ManualClock, settled } from "../support/manual-clock.js";

function harness() {
  const clock = new ManualClock();
  const state = new UploadStateStore({ name: "clip.mp4", size: 1 }, clock);
  state.setPhase("uploading");
  return { clock, state, control: new RunControl(state, clock) };
}

describe("run control", () => {
  it("interrupts the attempts in flight only: later attempts get a fresh signal", () => {
    const { control } = harness();
    const first = control.attemptSignal;
    control.interrupt();
    expect(first.aborted).toBe(true);
    expect(control.attemptSignal.aborted).toBe(false);
    expect(control.cancelSignal.aborted).toBe(false);
  });

  it("cancels everything", () => {
    const { control } = harness();
    const attempt = control.attemptSignal;
    control.cancel();
    expect(attempt.aborted && control.cancelSignal.aborted).toBe(true);
    expect(() => control.throwIfStopped()).toThrow(expect.objectContaining({ name: "AbortError" }));
    control.newRun();
    expect(control.stopped).toBe(true);
  });

  it("halts a run (its waits, sleeps and attempts) and starts the next one afresh", async () => {
    const { control, state, clock } = harness();
    state.setPhase("waiting");
    const waiting = control.untilRunnable().catch((e: unknown) => e);
    const sleeping = control.sleep(60_000).catch((e: unknown) => e);
    const attempt = control.attemptSignal;
    control.halt();
    expect(isAbort(await waiting)).toBe(true);
    expect(isAbort(await sleeping)).toBe(true);
    expect(attempt.aborted).toBe(true);
    expect(control.cancelSignal.aborted).toBe(false);
    control.newRun();
    expect(control.stopped).toBe(false);
    let slept = false;
    void control.sleep(10).then(() => (slept = true));
    await clock.advance(10);
    expect(slept).toBe(true);
  });

  it("waits for the phase to change from a given one", async () => {
    const { control, state } = harness();
    state.setPhase("signed-out");
    let left = false;
    void control.untilPhaseIsNot("signed-out").then(() => (left = true));
    await settled();
    expect(left).toBe(false);
    state.setPhase("uploading");
    await settled();
    expect(left).toBe(true);
  });

  it("lets work wait while paused, offline, reconnecting, waiting or signed out", async () => {
    const { control, state } = harness();
    await control.untilRunnable();
    for (const phase of ["paused", "offline", "reconnecting", "waiting", "signed-out"] as const) {
      state.setPhase(phase);
      let resumed = false;
      void control.untilRunnable().then(() => (resumed = true));
      await settled();
      expect(resumed).toBe(false);
      state.setPhase("uploading");
      await settled();
      expect(resumed).toBe(true);
    }
  });

  it("ends waiting on cancel, unless told to ignore it", async () => {
    const { control, state } = harness();
    state.setPhase("paused");
    const waiting = control.untilRunnable().catch((e: unknown) => e);
    let ignoring = false;
    void control.untilRunnable(true).then(() => (ignoring = true));
    control.cancel();
    state.setPhase("cancelled");
    expect(isAbort(await waiting)).toBe(true);
    await settled();
    expect(ignoring).toBe(true);
  });

  it("sleeps on the clock; cancel cuts the sleep short unless ignored", async () => {
    const { control, clock } = harness();
    let slept = false;
    void control.sleep(1000).then(() => (slept = true));
    await clock.advance(999);
    expect(slept).toBe(false);
    await clock.advance(1);
    expect(slept).toBe(true);
    const cut = control.sleep(1000).catch((e: unknown) => e);
    const kept = control.sleep(1000, true);
    control.cancel();
    expect(isAbort(await cut)).toBe(true);
    await clock.advance(1000);
    await expect(kept).resolves.toBeUndefined();
  });
});
