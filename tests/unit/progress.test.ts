import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  EMIT_INTERVAL_MS,
  EmitCoalescer,
  ProgressMeter,
  QUIET_MS,
  SPEED_SAMPLE_MS,
  sampleOnTimer,
} from "~/upload/progress";

const T0 = 1_000_000;
const part = (phase: string, sentBytes: number) => ({ phase, sentBytes });
const input = (confirmedBytes: number, sent: number[]) => ({
  totalBytes: 1000,
  confirmedBytes,
  parts: sent.map((s) => part("uploading", s)),
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

  it("take the speed from confirmed bytes, with the ETA from it", () => {
    const meter = new ProgressMeter(T0);
    // Bytes on their way are shown but are not speed: nothing is confirmed yet.
    expect(meter.figures(input(0, [100]), 0, T0 + 1000)).toMatchObject({ speedBps: null, etaSeconds: null });
    // 200 bytes confirmed after 2 s: 100 B/s, 800 bytes left.
    expect(meter.figures(input(200, [0]), 100, T0 + 2000)).toMatchObject({ speedBps: 100, etaSeconds: 8 });
  });

  it("change the speed and ETA text at most every SPEED_SAMPLE_MS, while the bytes shown follow every update", () => {
    const meter = new ProgressMeter(T0);
    meter.figures(input(200, [0]), 0, T0 + 2000);
    const soon = meter.figures(input(400, [50]), 200, T0 + 2000 + SPEED_SAMPLE_MS - 1);
    expect(soon).toMatchObject({ displayedBytes: 450, speedBps: 100, etaSeconds: 8 });
    const later = meter.figures(input(400, [50]), 450, T0 + 2000 + SPEED_SAMPLE_MS);
    expect(later.speedBps).toBeGreaterThan(100);
  });

  it("say whether anything moves: bytes sent or confirmed within QUIET_MS", () => {
    const meter = new ProgressMeter(T0);
    expect(meter.figures(input(0, [0]), 0, T0 + QUIET_MS - 1).moving).toBe(true);
    expect(meter.figures(input(0, [0]), 0, T0 + QUIET_MS).moving).toBe(false);
    meter.countSent(0, 10, T0 + QUIET_MS + 1);
    expect(meter.figures(input(0, [10]), 0, T0 + QUIET_MS + 2).moving).toBe(true);
    // A new attempt starting from zero is not movement.
    meter.countSent(10, 0, T0 + 3 * QUIET_MS);
    expect(meter.figures(input(0, [0]), 10, T0 + 3 * QUIET_MS).moving).toBe(false);
    expect(meter.figures(input(100, [0]), 10, T0 + 3 * QUIET_MS).moving).toBe(true);
  });

  it("start the speed afresh on restart (after a pause or a wait)", () => {
    const meter = new ProgressMeter(T0);
    expect(meter.figures(input(500, [0]), 0, T0 + 1000).speedBps).toBe(500);
    meter.restart(T0 + 100_000, 500);
    expect(meter.figures(input(500, [0]), 500, T0 + 100_001).speedBps).toBeNull();
    expect(meter.figures(input(600, [0]), 500, T0 + 101_000).speedBps).toBe(100);
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
