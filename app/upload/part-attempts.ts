import { ApiError } from "./api";
import type { Connectivity } from "./connectivity";
import type { Clock } from "./environment";
import { UploadFailedError, isAbort, partFailureOf } from "./errors";
import type { PartPipeline } from "./part-pipeline";
import { decide, streakKey, type Decision, type Failure, type PartHistory, type RetryPolicy } from "./retry";
import type { RunControl } from "./run-control";
import type { UploadStateStore } from "./upload-state";
import type { WaitingRoom } from "./waiting";

export interface PartAttemptsDeps {
  state: UploadStateStore;
  control: RunControl;
  waiting: WaitingRoom;
  connectivity: Connectivity;
  parts: PartPipeline;
  clock: Clock;
  policy: () => RetryPolicy;
  online: () => boolean;
  random: () => number;
  /** Has the server record part `n` (with the API's retries). */
  record: (n: number, etag: string, checksum: string) => Promise<void>;
  /** Part `n` is stored and recorded. */
  onDone: (n: number) => void;
}

/** The failed attempts of one part so far, and the remedy class of the last one. */
interface Tally extends PartHistory {
  lastKey?: string;
}

/**
 * Sends one part until it is stored: each attempt hashes, signs, PUTs and has the server record it;
 * each failure is classified (`decide`) and retried, waited out (the waiting phase, where this part's
 * attempt may be the probe), or, when nothing can fix it, fails the upload. Every failed attempt is
 * recorded, and the part's square always shows what happened to it.
 */
export class PartAttempts {
  constructor(private readonly deps: PartAttemptsDeps) {}

  async upload(n: number): Promise<void> {
    const { control, state } = this.deps;
    let tally: Tally = { attempt: 0, streak: 0 };
    let probing = false;
    for (;;) {
      if (!probing) await control.untilRunnable();
      const startedAt = this.deps.clock.now();
      try {
        await this.send(n, tally.attempt + 1);
        this.deps.waiting.succeeded();
        return;
      } catch (error) {
        control.throwIfStopped();
        if (isAbort(error)) {
          // Interrupted (connection lost): not this part's fault; it goes again when the upload can.
          state.updatePart(n, { phase: "pending", sentBytes: 0 });
          probing = false;
          continue;
        }
        if (error instanceof ApiError) throw this.fatal(n, error.message, error.status === 404);
        if (error instanceof UploadFailedError) throw this.fatal(n, error.message, error.gone);
        const failure = partFailureOf(error);
        tally = this.tallied(tally, failure);
        probing = await this.afterFailure(n, failure, tally, startedAt, probing);
        if (!probing && tally.attempt >= this.deps.policy().maxAttempts) tally = { ...tally, attempt: 0 };
      }
    }
  }

  /** One attempt at part `n`: hash, sign, send, and have the server record it. */
  private async send(n: number, attempt: number): Promise<void> {
    const { state, parts, control } = this.deps;
    const signal = control.attemptSignal;
    state.updatePart(n, { phase: "hashing" });
    const checksum = await parts.checksum(n);
    state.updatePart(n, { phase: "signing" });
    const signed = await parts.urlFor(n);
    // Interrupted while hashing or signing: send nothing now.
    if (signal.aborted) throw new DOMException("Interrupted", "AbortError");
    state.partSending(n, attempt);
    const { etag } = await parts.put(n, signed, signal, (sent) => state.partProgress(n, sent));
    await this.deps.record(n, etag, checksum);
    this.deps.connectivity.succeeded();
    state.partDone(n);
    this.deps.onDone(n);
  }

  private tallied(tally: Tally, failure: Failure): Tally {
    const key = streakKey(failure);
    return { attempt: tally.attempt + 1, streak: key === tally.lastKey ? tally.streak + 1 : 1, lastKey: key };
  }

  /** Records the failure and waits out what follows it; returns whether the next attempt is the waiting phase's probe. */
  private async afterFailure(n: number, failure: Failure, tally: Tally, startedAt: number, probing: boolean) {
    const { state, control, connectivity } = this.deps;
    const phase = state.current.phase;
    const online = this.deps.online() && phase !== "offline" && phase !== "reconnecting";
    const decision = decide(failure, tally, this.deps.policy(), online, this.deps.random);
    this.record(n, tally, decision, startedAt);
    if (decision.action === "give-up") throw this.fatal(n, decision.reason, decision.gone);
    // While the connection is known to be down, network failures wait for it instead of using up attempts.
    if (decision.action === "retry" && !decision.countsAsAttempt) tally.attempt -= 1;
    state.partFailed(n, decision.reason);
    this.deps.parts.forget(n, decision);
    if (failure.type === "network" || failure.type === "stall") connectivity.networkFailed();
    if (decision.action === "wait") return this.deps.waiting.wait("storage", decision.reason, probing);
    await control.sleep(decision.delayMs);
    return false;
  }

  private record(n: number, tally: Tally, decision: Decision, startedAt: number): void {
    const at = this.deps.clock.now();
    const outcome = decision.action === "retry" ? "retry" : decision.action === "wait" ? "wait" : "fatal";
    this.deps.state.recordRetry({
      at,
      partNumber: n,
      attempt: tally.attempt,
      durationMs: at - startedAt,
      outcome,
      reason: decision.reason,
      delayMs: decision.action === "retry" ? decision.delayMs : 0,
      resigned: decision.action !== "give-up" && decision.resign,
    });
  }

  /** Part `n` failed in a way no retry fixes: its square says so, and the upload fails with `reason`. */
  private fatal(n: number, reason: string, gone: boolean): UploadFailedError {
    this.deps.state.partFailed(n, reason, true);
    return new UploadFailedError(reason, gone);
  }
}
