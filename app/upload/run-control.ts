import type { Clock } from "./environment";
import { HOLD_PHASES, type UploadPhase, type UploadStateStore } from "./upload-state";

const stoppedError = () => new DOMException("Stopped", "AbortError");

/** Resolves when `signal` fires. */
const whenAborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });

/**
 * When an upload's work may run. An upload runs one or more times (start, then after a pause, a
 * failure's Retry or a takeover from another tab); each run can be halted, which ends all its work.
 * Cancelling halts the run for good. Interrupting ends only the attempts in flight (connection lost),
 * which are made again later; and work waits while the upload is in a hold phase (paused, offline,
 * reconnecting, waiting, signed out). `ignoreCancel` is for the work cancelling itself does (aborting
 * the upload on the server).
 */
export class RunControl {
  private readonly cancelController = new AbortController();
  private runController = new AbortController();
  private attemptController = new AbortController();

  constructor(
    private readonly state: UploadStateStore,
    private readonly clock: Clock,
  ) {}

  /** Fires when the upload is cancelled. */
  get cancelSignal(): AbortSignal {
    return this.cancelController.signal;
  }

  /** Fires when this run ends early (halted or cancelled). */
  get runSignal(): AbortSignal {
    return this.runController.signal;
  }

  /** Fires when the attempts now in flight are to stop. */
  get attemptSignal(): AbortSignal {
    return this.attemptController.signal;
  }

  get stopped(): boolean {
    return this.runSignal.aborted;
  }

  /** Starts a new run (the previous one has ended); nothing once cancelled. */
  newRun(): void {
    if (this.cancelSignal.aborted) return;
    this.runController = new AbortController();
    this.attemptController = new AbortController();
  }

  cancel(): void {
    this.cancelController.abort();
    this.halt();
  }

  /** Ends this run's work: attempts in flight, waits and sleeps. */
  halt(): void {
    this.runController.abort();
    this.interrupt();
  }

  interrupt(): void {
    this.attemptController.abort();
    this.attemptController = new AbortController();
  }

  throwIfStopped(): void {
    if (this.stopped) throw stoppedError();
  }

  /** Resolves once work may run: not in a hold phase. */
  async untilRunnable(ignoreCancel = false): Promise<void> {
    for (;;) {
      if (!ignoreCancel) this.throwIfStopped();
      if (!HOLD_PHASES.includes(this.state.current.phase)) return;
      await this.nextPhaseChange(ignoreCancel);
    }
  }

  /** Resolves once the phase is no longer `phase`. */
  async untilPhaseIsNot(phase: UploadPhase): Promise<void> {
    while (this.state.current.phase === phase) {
      this.throwIfStopped();
      await this.nextPhaseChange(false);
    }
  }

  /** Waits `ms`; halting or cancelling the run ends the wait with an AbortError. */
  sleep(ms: number, ignoreCancel = false): Promise<void> {
    return this.clock.sleep(ms, ignoreCancel ? undefined : this.runSignal);
  }

  private nextPhaseChange(ignoreCancel: boolean): Promise<void> {
    const change = this.state.phaseChange();
    return ignoreCancel ? change : Promise.race([change, whenAborted(this.runSignal)]);
  }
}
