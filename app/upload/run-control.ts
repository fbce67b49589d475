import type { Clock } from "./environment";
import type { UploadStateStore } from "./upload-state";

const cancelledError = () => new DOMException("Cancelled", "AbortError");

/**
 * When an upload's work may run. Cancelling ends all of it; interrupting ends only the attempts in
 * flight (pause, connection lost), which are made again later; and work waits while the upload is
 * paused, offline or reconnecting. `ignoreCancel` is for the work cancelling itself does (aborting
 * the upload on the server).
 */
export class RunControl {
  private readonly cancelController = new AbortController();
  private attemptController = new AbortController();

  constructor(
    private readonly state: UploadStateStore,
    private readonly clock: Clock,
  ) {}

  /** Fires when the upload is cancelled. */
  get cancelSignal(): AbortSignal {
    return this.cancelController.signal;
  }

  /** Fires when the attempts now in flight are to stop. */
  get attemptSignal(): AbortSignal {
    return this.attemptController.signal;
  }

  cancel(): void {
    this.cancelController.abort();
    this.interrupt();
  }

  interrupt(): void {
    this.attemptController.abort();
    this.attemptController = new AbortController();
  }

  throwIfCancelled(): void {
    if (this.cancelSignal.aborted) throw cancelledError();
  }

  /** Resolves once work may run: not paused, offline or reconnecting. */
  async untilRunnable(ignoreCancel = false): Promise<void> {
    for (;;) {
      if (!ignoreCancel) this.throwIfCancelled();
      if (!["paused", "offline", "reconnecting"].includes(this.state.current.phase)) return;
      await this.state.phaseChange();
    }
  }

  /** Waits `ms`; cancelling ends the wait with an AbortError. */
  sleep(ms: number, ignoreCancel = false): Promise<void> {
    return this.clock.sleep(ms, ignoreCancel ? undefined : this.cancelSignal);
  }
}
