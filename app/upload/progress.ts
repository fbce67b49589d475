import { ConfirmedRate, etaSeconds } from "./rate";

/** How often the figures are refreshed on a timer (speed falls, countdowns and stalled parts show). */
export const SPEED_SAMPLE_MS = 500;
/** Progress events arrive many times a second per request; re-rendering on each costs the browser CPU (4 Hz). */
export const EMIT_INTERVAL_MS = 250;
/** With no byte sent or confirmed for this long, nothing is moving: the status says what it waits for. */
export const QUIET_MS = 5_000;

/** What the progress figures are computed from. */
export interface ProgressInput {
  totalBytes: number;
  /** Bytes in parts that S3 has and the server recorded. */
  confirmedBytes: number;
  parts: ReadonlyArray<{ phase: string; sentBytes: number }>;
}

export interface ProgressFigures {
  inFlightBytes: number;
  displayedBytes: number;
  /** Smoothed rate of confirmed bytes; null until one can be told. */
  speedBps: number | null;
  /** Null when unknown, or longer than anyone would read (see MAX_ETA_SECONDS). */
  etaSeconds: number | null;
  /** Bytes were sent or confirmed within QUIET_MS. */
  moving: boolean;
  /** When these figures were computed (countdowns are told from it). */
  updatedAt: number;
}

/**
 * Progress and speed for one upload. The bytes shown are confirmed plus in flight and never go
 * backwards (a failed attempt's bytes stay shown until it is sent again); the speed is the rate of
 * confirmed bytes (ConfirmedRate), restarted from fresh samples after a pause or a wait.
 */
export class ProgressMeter {
  private readonly rate = new ConfirmedRate();
  private lastMovedAt: number;
  private lastConfirmed = 0;
  /** Speed and ETA as last told, and when: the text changes at most every SPEED_SAMPLE_MS (2 Hz). */
  private told?: { at: number; speedBps: number | null; etaSeconds: number | null };

  constructor(now: number) {
    this.lastMovedAt = now;
    this.rate.restart(now, 0);
  }

  /** Starts the rate from fresh samples. */
  restart(now: number, confirmedBytes: number): void {
    this.rate.restart(now, confirmedBytes);
    this.lastConfirmed = confirmedBytes;
    this.lastMovedAt = now;
    this.told = undefined;
  }

  /** A request's progress moved from `before` to `after` bytes at `now`. */
  countSent(before: number, after: number, now: number): void {
    if (after > before) this.lastMovedAt = now;
  }

  /** The figures for `next`, given the bytes shown until now, at time `now`. */
  figures(next: ProgressInput, shownBefore: number, now: number): ProgressFigures {
    const inFlightBytes = next.parts.reduce((sum, p) => sum + (p.phase === "done" ? 0 : p.sentBytes), 0);
    const displayedBytes = Math.min(next.totalBytes, Math.max(shownBefore, next.confirmedBytes + inFlightBytes));
    if (next.confirmedBytes > this.lastConfirmed) this.lastMovedAt = now;
    this.lastConfirmed = next.confirmedBytes;
    this.rate.record(now, next.confirmedBytes);
    if (!this.told || now - this.told.at >= SPEED_SAMPLE_MS || this.told.speedBps === null) {
      const speedBps = this.rate.bytesPerSecond(now);
      this.told = { at: now, speedBps, etaSeconds: etaSeconds(next.totalBytes - next.confirmedBytes, speedBps) };
    }
    return {
      inFlightBytes,
      displayedBytes,
      speedBps: this.told.speedBps,
      etaSeconds: this.told.etaSeconds,
      moving: now - this.lastMovedAt < QUIET_MS,
      updatedAt: now,
    };
  }
}

/**
 * Progress events stop while a connection stalls or bytes wait in socket buffers; sampling on a timer
 * too lets the shown speed fall and the ETA grow instead of freezing at their last values.
 * Returns the function that stops the sampling.
 */
export function sampleOnTimer(sample: () => void): () => void {
  const timer = setInterval(sample, SPEED_SAMPLE_MS);
  return () => clearInterval(timer);
}

/** Delivers updates at once, or (for frequent ones such as byte progress) at most every EMIT_INTERVAL_MS. */
export class EmitCoalescer {
  private lastEmit = 0;
  private timer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly deliver: () => void,
    private readonly now: () => number,
  ) {}

  /** Delivers within EMIT_INTERVAL_MS of the last delivery; more calls meanwhile share that one. */
  soon(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, EMIT_INTERVAL_MS - (this.now() - this.lastEmit));
    this.timer = setTimeout(() => this.immediately(), wait);
  }

  /** Delivers now, taking along any delivery that was waiting. */
  immediately(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastEmit = this.now();
    this.deliver();
  }
}
