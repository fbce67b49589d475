/** The rate looks back over this long: long enough to span a few confirmed parts on a slow link. */
export const RATE_WINDOW_MS = 30_000;
/** An ETA longer than this says nothing useful: none is shown. */
export const MAX_ETA_SECONDS = 99 * 3600;

interface Sample {
  at: number;
  bytes: number;
}

/**
 * The upload's speed as a rate of confirmed bytes (parts storage has and the server recorded): the
 * bytes confirmed since the oldest sample of the window, over the time from that sample to now. Until
 * something is confirmed after a (re)start there is no rate; while nothing is confirmed it falls.
 */
export class ConfirmedRate {
  private samples: Sample[] = [];

  /** Starts from fresh samples: at the start, and after a pause or a wait. */
  restart(now: number, bytes: number): void {
    this.samples = [{ at: now, bytes }];
  }

  /** The confirmed bytes are now `bytes` (a part was confirmed, or un-confirmed to be sent again). */
  record(now: number, bytes: number): void {
    const last = this.samples.at(-1);
    if (!last || bytes < last.bytes) return this.restart(now, bytes);
    if (bytes === last.bytes) return;
    this.samples.push({ at: now, bytes });
    // The window keeps one sample older than itself as its base.
    while (this.samples.length > 2 && this.samples[1]!.at <= now - RATE_WINDOW_MS) this.samples.shift();
  }

  /** Bytes per second, or null when it cannot be told yet. */
  bytesPerSecond(now: number): number | null {
    const base = this.samples[0];
    const last = this.samples.at(-1);
    if (!base || !last || last.bytes <= base.bytes || now <= base.at) return null;
    const rate = ((last.bytes - base.bytes) * 1000) / (now - base.at);
    return Number.isFinite(rate) && rate > 0 ? rate : null;
  }
}

/** Seconds left at `rate` for `remainingBytes`; null when unknown, not finite or beyond MAX_ETA_SECONDS. */
export function etaSeconds(remainingBytes: number, rate: number | null): number | null {
  if (rate === null || !(rate > 0) || !(remainingBytes > 0)) return null;
  const eta = Math.ceil(remainingBytes / rate);
  return Number.isFinite(eta) && eta <= MAX_ETA_SECONDS ? eta : null;
}
