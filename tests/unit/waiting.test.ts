import { describe, expect, it } from "vitest";
import { Alarm } from "~/upload/alarm";
import { isAbort } from "~/upload/errors";
import { RunControl } from "~/upload/run-control";
import { UploadStateStore } from "~/upload/upload-state";
import { WaitingRoom } from "~/upload/waiting";
import { ManualClock, settled } from "../support/manual-clock.js";

function harness(waitCapMs = 60_000) {
  const clock = new ManualClock();
  const state = new UploadStateStore({ name: "clip.mp4", size: 1 }, clock);
  state.setPhase("uploading");
  const control = new RunControl(state, clock);
  const alarm = new Alarm(clock);
  const policy = () => ({ baseMs: 1000, capMs: 30_000, maxAttempts: 3, waitCapMs });
  const room = new WaitingRoom({ state, control, alarm, clock, policy, random: () => 1 });
  return { clock, state, control, alarm, room };
}

describe("the waiting phase", () => {
  it("pauses before each probe for longer, up to the cap, and says until when", async () => {
    const { clock, state, room } = harness(30_000);
    const pauses: number[] = [];
    let probing = false;
    for (let i = 0; i < 6; i += 1) {
      const next = room.wait("storage", "storage error 500", probing);
      await settled();
      expect(state.current.phase).toBe("waiting");
      pauses.push(state.current.wait!.until - clock.now());
      await clock.advance(pauses.at(-1)!);
      probing = await next;
      expect(probing).toBe(true);
    }
    expect(pauses).toEqual([5000, 10_000, 20_000, 30_000, 30_000, 30_000]);
    expect(state.current.wait).toMatchObject({ for: "storage", reason: "storage error 500" });
  });

  it("lets one probe while the others hold, and lets them all go when something gets through", async () => {
    const { clock, state, room } = harness();
    const prober = room.wait("storage", "x", false);
    await settled();
    let held = "holding";
    void room.wait("storage", "x", false).then((probe) => (held = String(probe)));
    await clock.advance(5000);
    expect(await prober).toBe(true);
    expect(held).toBe("holding");
    room.succeeded();
    await settled();
    expect(held).toBe("false");
    expect(state.current).toMatchObject({ phase: "uploading", wait: undefined });
    // The next wait starts again from the shortest pause.
    void room.wait("app", "y", false);
    await settled();
    expect(state.current.wait!.until - clock.now()).toBe(5000);
  });

  it("probes at once on Try now, and again after a success elsewhere ends the wait", async () => {
    const { state, alarm, room } = harness();
    const first = room.wait("storage", "x", false);
    await settled();
    alarm.ring();
    expect(await first).toBe(true);
    const second = room.wait("storage", "x", true);
    await settled();
    room.succeeded();
    // The wait is over: the prober goes back to sending as usual, at once.
    expect(await second).toBe(false);
    expect(state.current.phase).toBe("uploading");
  });

  it("leaves paused, offline and signed-out uploads to their own phase", async () => {
    const { state, room } = harness();
    for (const phase of ["paused", "offline", "signed-out"] as const) {
      state.setPhase(phase);
      expect(await room.wait("storage", "x", false)).toBe(false);
      expect(state.current.phase).toBe(phase);
    }
  });

  it("ends when the run is halted (paused, cancelled, failed)", async () => {
    const { control, room } = harness();
    const waiting = room.wait("storage", "x", false).catch((e: unknown) => e);
    await settled();
    control.halt();
    expect(isAbort(await waiting)).toBe(true);
  });
});

describe("the alarm", () => {
  it("ends sleeps at their time, or at once when rung; the signal still aborts", async () => {
    const clock = new ManualClock();
    const alarm = new Alarm(clock);
    let woke = 0;
    void alarm.sleep(1000).then(() => (woke += 1));
    void alarm.sleep(60_000).then(() => (woke += 1));
    await clock.advance(1000);
    expect(woke).toBe(1);
    alarm.ring();
    await settled();
    expect(woke).toBe(2);
    const stop = new AbortController();
    const cut = alarm.sleep(1000, stop.signal).catch((e: unknown) => e);
    stop.abort();
    expect(isAbort(await cut)).toBe(true);
    expect(clock.pending()).toEqual([]);
  });
});
