import type { Clock } from "~/upload/environment";

/** Lets every promise callback that is ready run (one macrotask turn). */
export const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A clock that moves only when the test moves it: `sleep` ends when `advance` reaches its time (or
 * with an AbortError when its signal fires), so timing logic runs without real waiting.
 */
export class ManualClock implements Clock {
  private time: number;
  private sleepers: Array<{ at: number; wake: () => void }> = [];

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new DOMException("Aborted", "AbortError"));
      const sleeper = { at: this.time + ms, wake: () => resolve() };
      this.sleepers.push(sleeper);
      signal?.addEventListener(
        "abort",
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          reject(new DOMException("Aborted", "AbortError"));
        },
        { once: true },
      );
    });
  }

  /** How long each pending sleep has left, soonest first. */
  pending(): number[] {
    return this.sleepers.map((s) => s.at - this.time).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, waking each sleep that falls due in turn and letting its callbacks run. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      await settled();
      const due = this.sleepers.filter((s) => s.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.sleepers = this.sleepers.filter((s) => s !== due);
      this.time = due.at;
      due.wake();
    }
    this.time = target;
    await settled();
  }
}
