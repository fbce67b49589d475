/** How often speed is sampled, on progress events and on a timer. */
export const SPEED_SAMPLE_MS = 500;
/** Progress events arrive many times a second per request; re-rendering on each costs the browser CPU. */
export const EMIT_INTERVAL_MS = 100;

/** What the progress figures are computed from. */
export interface ProgressInput {
  totalBytes: number;
  /** Bytes in parts that S3 has and the server recorded. */
  confirmedBytes: number;
  parts: ReadonlyArray<{ phase: string; sentBytes: number }>;
  /** The smoothed speed so far. */
  speedBps: number;
}

export interface ProgressFigures {
  inFlightBytes: number;
  displayedBytes: number;
  speedBps: number;
  etaSeconds: number | null;
}

/**
 * Progress and speed for one upload. The bytes shown are confirmed plus in flight and never go
 * backwards (a failed attempt's bytes stay shown until it is sent again); speed counts the bytes that
 * left the browser over each sample of at least SPEED_SAMPLE_MS and is smoothed across samples.
 */
export class ProgressMeter {
  private sampleStartedAt: number;
  private sentInSample = 0;

  constructor(now: number) {
    this.sampleStartedAt = now;
  }

  /** Starts a new speed sample (say, once the parts already uploaded are known). */
  restart(now: number): void {
    this.sampleStartedAt = now;
    this.sentInSample = 0;
  }

  /** A request's progress moved from `before` to `after` bytes; only forward movement is speed. */
  countSent(before: number, after: number): void {
    if (after > before) this.sentInSample += after - before;
  }

  /** The figures for `next`, given the bytes shown until now, at time `now`. */
  figures(next: ProgressInput, shownBefore: number, now: number): ProgressFigures {
    const inFlightBytes = next.parts.reduce((sum, p) => sum + (p.phase === "done" ? 0 : p.sentBytes), 0);
    const displayedBytes = Math.min(next.totalBytes, Math.max(shownBefore, next.confirmedBytes + inFlightBytes));
    let speedBps = next.speedBps;
    if (now - this.sampleStartedAt >= SPEED_SAMPLE_MS) {
      const instant = (this.sentInSample * 1000) / (now - this.sampleStartedAt);
      speedBps = speedBps === 0 ? instant : speedBps * 0.7 + instant * 0.3;
      this.restart(now);
    }
    const etaSeconds = speedBps > 0 ? Math.ceil((next.totalBytes - displayedBytes) / speedBps) : null;
    return { inFlightBytes, displayedBytes, speedBps, etaSeconds };
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
