import { describe, expect, it } from "vitest";
import { Alarm } from "~/upload/alarm";
import { Connectivity, NETWORK_FAILURES_BEFORE_PROBING } from "~/upload/connectivity";
import type { UploadPhase } from "~/upload/upload-state";
import { ManualClock, settled } from "../support/manual-clock.js";

function harness(phase: UploadPhase = "uploading") {
  const clock = new ManualClock();
  const cancel = new AbortController();
  const h = {
    clock,
    cancel,
    phase,
    phases: [] as UploadPhase[],
    interrupts: 0,
    probes: 0,
    reachable: false as boolean | "throws",
    waits: [] as number[],
    alarm: new Alarm(clock),
    connectivity: undefined as unknown as Connectivity,
  };
  h.connectivity = new Connectivity({
    phase: () => h.phase,
    setPhase: (next, changes) => {
      if (changes?.wait) h.waits.push(changes.wait.until - clock.now());
      if (next === h.phase) return;
      h.phase = next;
      h.phases.push(next);
    },
    interruptAttempts: () => (h.interrupts += 1),
    probe: async () => {
      h.probes += 1;
      if (h.reachable === "throws") throw new TypeError("Failed to fetch");
      return h.reachable;
    },
    clock,
    alarm: h.alarm,
    signal: cancel.signal,
  });
  return h;
}

const failTimes = (h: ReturnType<typeof harness>, n: number) => {
  for (let i = 0; i < n; i += 1) h.connectivity.networkFailed();
};

describe("connectivity", () => {
  it("goes offline when the browser does, interrupting what is in flight, and back when it returns", () => {
    const h = harness();
    h.connectivity.onlineChanged(false);
    expect(h.phases).toEqual(["offline"]);
    expect(h.interrupts).toBe(1);
    h.connectivity.onlineChanged(true);
    expect(h.phases).toEqual(["offline", "uploading"]);
  });

  it("leaves a paused or finishing upload alone", () => {
    for (const phase of ["paused", "finishing", "done"] as const) {
      const h = harness(phase);
      h.connectivity.onlineChanged(false);
      h.connectivity.onlineChanged(true);
      failTimes(h, 10);
      expect(h.phases).toEqual([]);
      expect(h.interrupts).toBe(0);
    }
  });

  it(`reconnects after ${NETWORK_FAILURES_BEFORE_PROBING} network failures in a row, probing with backoff until the server answers`, async () => {
    const h = harness();
    failTimes(h, NETWORK_FAILURES_BEFORE_PROBING - 1);
    expect(h.phases).toEqual([]);
    h.connectivity.networkFailed();
    expect(h.phases).toEqual(["reconnecting"]);
    // 1 s, 2 s, 4 s, 8 s, then 15 s at most.
    const waits: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      await settled();
      waits.push(...h.clock.pending());
      await h.clock.advance(h.clock.pending()[0]!);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 15_000, 15_000]);
    // Each pause is published, for the countdown the page shows.
    expect(h.waits).toEqual([1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
    expect(h.probes).toBe(6);
    expect(h.phase).toBe("reconnecting");
    h.reachable = true;
    await h.clock.advance(15_000);
    expect(h.phases).toEqual(["reconnecting", "uploading"]);
    expect(h.clock.pending()).toEqual([]);
  });

  it("probes at once on Try now", async () => {
    const h = harness();
    failTimes(h, NETWORK_FAILURES_BEFORE_PROBING);
    await h.clock.advance(1000 + 2000);
    expect(h.probes).toBe(2);
    h.reachable = true;
    h.alarm.ring();
    await settled();
    expect(h.probes).toBe(3);
    expect(h.phase).toBe("uploading");
  });

  it("leaves the waiting phase and a signed-out upload to their own ways back", () => {
    for (const phase of ["waiting", "signed-out"] as const) {
      const h = harness(phase);
      failTimes(h, 10);
      expect(h.phases).toEqual([]);
    }
  });

  it("counts only failures in a row: a request that goes through starts the count again", () => {
    const h = harness();
    failTimes(h, NETWORK_FAILURES_BEFORE_PROBING - 1);
    h.connectivity.succeeded();
    failTimes(h, NETWORK_FAILURES_BEFORE_PROBING - 1);
    expect(h.phases).toEqual([]);
  });

  it("treats a probe that throws as no answer", async () => {
    const h = harness();
    h.reachable = "throws";
    failTimes(h, NETWORK_FAILURES_BEFORE_PROBING);
    await h.clock.advance(1000);
    expect(h.probes).toBe(1);
    expect(h.phase).toBe("reconnecting");
  });

  it("stops probing when the browser reports the connection back, and starts counting afresh", async () => {
    const h = harness();
    failTimes(h, NETWORK_FAILURES_BEFORE_PROBING);
    h.connectivity.onlineChanged(true);
    expect(h.phase).toBe("uploading");
    await h.clock.advance(60_000);
    expect(h.probes).toBe(0);
    failTimes(h, NETWORK_FAILURES_BEFORE_PROBING - 1);
    expect(h.phase).toBe("uploading");
    h.connectivity.networkFailed();
    expect(h.phase).toBe("reconnecting");
  });

  it("runs one prober at a time, and stops it on cancel", async () => {
    const h = harness();
    failTimes(h, NETWORK_FAILURES_BEFORE_PROBING);
    h.phase = "uploading";
    failTimes(h, NETWORK_FAILURES_BEFORE_PROBING);
    await settled();
    expect(h.clock.pending()).toHaveLength(1);
    h.cancel.abort();
    await h.clock.advance(60_000);
    expect(h.probes).toBe(0);
    expect(h.clock.pending()).toEqual([]);
  });
});
