import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EMIT_INTERVAL_MS, EmitCoalescer, ProgressMeter, SPEED_SAMPLE_MS, sampleOnTimer } from "~/upload/progress";

const T0 = 1_000_000;
const part = (phase: string, sentBytes: number) => ({ phase, sentBytes });
const input = (confirmedBytes: number, sent: number[], speedBps = 0) => ({
  totalBytes: 1000,
  confirmedBytes,
  parts: sent.map((s) => part("uploading", s)),
  speedBps,
});

describe("progress figures", () => {
  it("show confirmed plus in-flight bytes, ignoring what finished parts report", () => {
    const meter = new ProgressMeter(T0);
    const next = { ...input(300, [50, 25]), parts: [part("uploading", 50), part("uploading", 25), part("done", 300)] };
    expect(meter.figures(next, 0, T0)).toMatchObject({ inFlightBytes: 75, displayedBytes: 375 });
  });

  it("never go backwards when an attempt fails half-way, and never past the total", () => {
    const meter = new ProgressMeter(T0);
    const during = meter.figures(input(300, [200]), 0, T0);
    expect(during.displayedBytes).toBe(500);
    const afterFailure = meter.figures(input(300, [0]), during.displayedBytes, T0 + 1);
    expect(afterFailure).toMatchObject({ inFlightBytes: 0, displayedBytes: 500 });
    expect(meter.figures(input(900, [400]), 500, T0 + 2).displayedBytes).toBe(1000);
  });

  it("measure speed over samples of at least SPEED_SAMPLE_MS, smoothed, with the ETA from it", () => {
    const meter = new ProgressMeter(T0);
    meter.countSent(0, 100);
    // Too soon for a sample: the speed so far stands.
    expect(meter.figures(input(0, [100]), 0, T0 + SPEED_SAMPLE_MS - 1)).toMatchObject({
      speedBps: 0,
      etaSeconds: null,
    });
    // 100 bytes in 0.5 s: 200 B/s; 900 bytes left → 4.5 s, rounded up.
    const first = meter.figures(input(0, [100]), 0, T0 + SPEED_SAMPLE_MS);
    expect(first).toMatchObject({ speedBps: 200, etaSeconds: 5 });
    meter.countSent(100, 300);
    // 200 bytes in 0.5 s is 400 B/s, smoothed: 0.7 · 200 + 0.3 · 400.
    const second = meter.figures(input(0, [300], first.speedBps), 100, T0 + 2 * SPEED_SAMPLE_MS);
    expect(second.speedBps).toBeCloseTo(260, 9);
    expect(second.etaSeconds).toBe(Math.ceil(700 / second.speedBps));
  });

  it("let the speed fall while no bytes move", () => {
    const meter = new ProgressMeter(T0);
    const quiet = meter.figures(input(0, [0], 1000), 0, T0 + SPEED_SAMPLE_MS);
    expect(quiet.speedBps).toBeCloseTo(700, 9);
    expect(quiet.etaSeconds).toBe(Math.ceil(1000 / 700));
  });

  it("count only forward movement as speed, and start afresh on restart", () => {
    const meter = new ProgressMeter(T0);
    meter.countSent(400, 0); // a new attempt starts from zero
    meter.countSent(0, 100);
    expect(meter.figures(input(0, [100]), 0, T0 + 1000).speedBps).toBe(100);
    meter.countSent(100, 600);
    meter.restart(T0 + 1000);
    // The 500 bytes counted before the restart are not part of the new sample.
    expect(meter.figures(input(0, [600], 100), 100, T0 + 2000).speedBps).toBeCloseTo(70, 9);
  });
});

describe("timers", () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] }));
  afterEach(() => vi.useRealTimers());

  it("sample on a timer until stopped", () => {
    const sample = vi.fn();
    const stop = sampleOnTimer(sample);
    vi.advanceTimersByTime(SPEED_SAMPLE_MS * 3);
    expect(sample).toHaveBeenCalledTimes(3);
    stop();
    vi.advanceTimersByTime(SPEED_SAMPLE_MS * 3);
    expect(sample).toHaveBeenCalledTimes(3);
  });

  it("coalesce frequent updates into one delivery per EMIT_INTERVAL_MS; others go at once", () => {
    let now = T0;
    const deliver = vi.fn();
    const emitter = new EmitCoalescer(deliver, () => now);
    emitter.immediately();
    expect(deliver).toHaveBeenCalledTimes(1);
    now += 30;
    emitter.soon();
    emitter.soon();
    vi.advanceTimersByTime(EMIT_INTERVAL_MS - 31);
    expect(deliver).toHaveBeenCalledTimes(1);
    now += EMIT_INTERVAL_MS - 30;
    vi.advanceTimersByTime(1);
    expect(deliver).toHaveBeenCalledTimes(2);
    // A waiting delivery is taken along by an immediate one, not delivered again.
    emitter.soon();
    emitter.immediately();
    expect(deliver).toHaveBeenCalledTimes(3);
    vi.advanceTimersByTime(EMIT_INTERVAL_MS * 2);
    expect(deliver).toHaveBeenCalledTimes(3);
  });

  it("deliver a frequent update at once when the last delivery is long past", () => {
    let now = T0;
    const deliver = vi.fn();
    const emitter = new EmitCoalescer(deliver, () => now);
    emitter.immediately();
    now += EMIT_INTERVAL_MS * 5;
    emitter.soon();
    vi.advanceTimersByTime(0);
    expect(deliver).toHaveBeenCalledTimes(2);
  });
});
