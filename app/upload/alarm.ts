import type { Clock } from "./environment";

/**
 * Sleeps that "Try now" can cut short: `ring()` ends every sleep under way at once (as if its time
 * had come); the signal still ends one with an AbortError.
 */
export class Alarm {
  private readonly wakers = new Set<() => void>();

  constructor(private readonly clock: Clock) {}

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new DOMException("Aborted", "AbortError"));
    const local = new AbortController();
    const forward = () => local.abort();
    signal?.addEventListener("abort", forward, { once: true });
    this.wakers.add(forward);
    return this.clock
      .sleep(ms, local.signal)
      .catch((error: unknown) => {
        if (signal?.aborted) throw error;
      })
      .finally(() => {
        this.wakers.delete(forward);
        signal?.removeEventListener("abort", forward);
      });
  }

  /** Ends the sleeps under way now. */
  ring(): void {
    for (const wake of [...this.wakers]) wake();
  }
}
