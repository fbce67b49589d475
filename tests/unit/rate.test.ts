import { describe, expect, it } from "vitest";
import { ConfirmedRate, MAX_ETA_SECONDS, RATE_WINDOW_MS, etaSeconds } from "~/upload/rate";

const MiB = 1024 * 1024;

describe("the rate of confirmed bytes", () => {
  it("is unknown until something is confirmed after a (re)start", () => {
    const rate = new ConfirmedRate();
    expect(rate.bytesPerSecond(0)).toBeNull();
    rate.restart(1000, 0);
    expect(rate.bytesPerSecond(5000)).toBeNull();
    rate.record(5000, 8 * MiB);
    expect(rate.bytesPerSecond(5000)).toBe(2 * MiB);
  });

  it("falls while nothing is confirmed, instead of freezing", () => {
    const rate = new ConfirmedRate();
    rate.restart(0, 0);
    rate.record(4000, 8 * MiB);
    expect(rate.bytesPerSecond(8000)).toBe(1 * MiB);
    expect(rate.bytesPerSecond(16_000)).toBe(0.5 * MiB);
  });

  it("looks back over the window: old bursts stop counting", () => {
    const rate = new ConfirmedRate();
    rate.restart(0, 0);
    // Fast at first: 64 MiB in 4 s.
    for (let t = 1; t <= 4; t += 1) rate.record(t * 1000, t * 16 * MiB);
    // Then 1 MiB/s for a long time, a part every 8 s.
    let bytes = 64 * MiB;
    for (let t = 12_000; t <= 200_000; t += 8000) rate.record(t, (bytes += 8 * MiB));
    const measured = rate.bytesPerSecond(200_000)!;
    expect(measured).toBeGreaterThan(0.85 * MiB);
    expect(measured).toBeLessThan(1.3 * MiB);
    expect(RATE_WINDOW_MS).toBeGreaterThanOrEqual(20_000);
  });

  it("restarts when confirmed bytes go down (a part to send again)", () => {
    const rate = new ConfirmedRate();
    rate.restart(0, 0);
    rate.record(1000, 10 * MiB);
    rate.record(2000, 5 * MiB);
    expect(rate.bytesPerSecond(3000)).toBeNull();
    rate.record(3000, 6 * MiB);
    expect(rate.bytesPerSecond(3000)).toBe(1 * MiB);
  });

  it("never yields a non-finite number", () => {
    const rate = new ConfirmedRate();
    rate.restart(1000, 0);
    rate.record(1000, 5 * MiB);
    expect(rate.bytesPerSecond(1000)).toBeNull();
  });
});

describe("the ETA", () => {
  it("is the bytes left over the rate, rounded up", () => {
    expect(etaSeconds(10 * MiB, 3 * MiB)).toBe(4);
  });

  it("is not shown without a rate, when nothing is left, or when it is not finite", () => {
    expect(etaSeconds(10, null)).toBeNull();
    expect(etaSeconds(10, 0)).toBeNull();
    expect(etaSeconds(0, 100)).toBeNull();
    expect(etaSeconds(10, Number.MIN_VALUE)).toBeNull();
    expect(etaSeconds(Infinity, 5)).toBeNull();
    expect(etaSeconds(10, NaN)).toBeNull();
  });

  it("is never over 99 h: a crawl says nothing useful", () => {
    expect(MAX_ETA_SECONDS).toBe(99 * 3600);
    expect(etaSeconds(MAX_ETA_SECONDS, 1)).toBe(MAX_ETA_SECONDS);
    expect(etaSeconds(MAX_ETA_SECONDS + 1, 1)).toBeNull();
    // The sample: a 10 GiB upload at 0 B/s measured as 1e-12 B/s.
    expect(etaSeconds(10 * 1024 * MiB, 1e-12)).toBeNull();
  });
});
