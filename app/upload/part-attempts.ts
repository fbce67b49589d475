import type { PartChecksum } from "../shared/checksum-mode";
import { ApiError } from "./api";
import type { Connectivity } from "./connectivity";
import type { Clock } from "./environment";
import { UploadFailedError, isAbort, partFailureOf } from "./errors";
import type { PartPipeline } from "./part-pipeline";
import { retryReasonOf, type AttemptEntry, type WaitEntry } from "./attempt-log";
import { decide, streakKey, type Failure, type PartHistory, type RetryPolicy } from "./retry";
import type { RunControl } from "./run-control";
import { HOLD_PHASES, type UploadStateStore } from "./upload-state";
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
  /** Part `n` is stored: the server is to record it (in the background; the slot is free at once). */
  record: (n: number, etag: string, checksum: PartChecksum) => void;
  /** Part `n` is stored and recorded. */
  onDone: (n: number) => void;
}

/** The failed attempts of one part so far, and the remedy class of the last one. */
interface Tally extends PartHistory {
  lastKey?: string;
}

/** A PUT of a part that went out: when, and as which attempt. */
interface Sent {
  attempt: number;
  startedAt: number;
}

/**
 * Sends one part until it is stored: each attempt hashes, signs and PUTs it, then hands it to be recorded;
 * each failure is classified (`decide`) and retried, waited out (the waiting phase, where this part's
 * attempt may be the probe), or, when nothing can fix it, fails the upload. Every failed attempt is
 * recorded, and the part's square always shows what happened to it.
 */
export class PartAttempts {
  /** Parts whose PUT is out (or ended and not yet logged). */
  private readonly sent = new Map<number, Sent>();

  constructor(private readonly deps: PartAttemptsDeps) {}

  async upload(n: number): Promise<void> {
    const { control, state } = this.deps;
    let tally: Tally = { attempt: 0, streak: 0 };
    let probing = false;
    for (;;) {
      // The waiting phase's probe goes at once; a held part (offline, paused, signed out) logs its wait.
      if (!probing && HOLD_PHASES.includes(state.current.phase))
        await this.timed(n, "held", () => control.untilRunnable());
      else if (!probing) await control.untilRunnable();
      try {
        await this.send(n, tally.attempt + 1);
        this.deps.waiting.succeeded();
        return;
      } catch (error) {
        if (isAbort(error) || control.stopped) {
          // Interrupted (connection lost, paused): not this part's fault; it goes again when the upload can.
          this.logAttempt(n, { outcome: "interrupted" });
          control.throwIfStopped();
          state.updatePart(n, { phase: "pending", sentBytes: 0 });
          probing = false;
          continue;
        }
        if (error instanceof ApiError) throw this.fatal(n, error.message, error.status === 404);
        if (error instanceof UploadFailedError) throw this.fatal(n, error.message, error.gone);
        const failure = partFailureOf(error);
        tally = this.tallied(tally, failure);
        probing = await this.afterFailure(n, failure, tally, probing);
        if (!probing && tally.attempt >= this.deps.policy().maxAttempts) tally = { ...tally, attempt: 0 };
      }
    }
  }

  /** One attempt at part `n`: hash, sign, send, and hand it to the server's record. */
  private async send(n: number, attempt: number): Promise<void> {
    const { state, parts, control, clock } = this.deps;
    const signal = control.attemptSignal;
    state.updatePart(n, { phase: "hashing" });
    const checksum = await parts.checksum(n);
    state.updatePart(n, { phase: "signing" });
    const signed = await parts.urlFor(n);
    // Interrupted while hashing or signing: send nothing now.
    if (signal.aborted) throw new DOMException("Interrupted", "AbortError");
    this.sent.set(n, { attempt, startedAt: clock.now() });
    state.partSending(n, attempt);
    const { etag } = await parts.put(n, signed, signal, (sent) => state.partProgress(n, sent));
    this.deps.record(n, etag, checksum);
    this.deps.connectivity.succeeded();
    this.logAttempt(n, { outcome: "stored" });
    state.partDone(n);
    this.deps.onDone(n);
  }

  /** Logs the end of part `n`'s PUT, if one went out (a failure while hashing or signing sent none). */
  private logAttempt(n: number, end: Pick<AttemptEntry, "outcome" | "reason" | "category" | "next">): void {
    const sent = this.sent.get(n);
    if (!sent) return;
    this.sent.delete(n);
    const part = this.deps.state.current.parts[n - 1]!;
    const durationMs = this.deps.clock.now() - sent.startedAt;
    const sentBytes = end.outcome === "stored" ? part.size : part.sentBytes;
    this.deps.state.logEntry({ kind: "attempt", part: n, ...sent, durationMs, sentBytes, ...end });
  }

  /** Runs `wait` and logs the time part `n` spent in it (when it spent any). */
  private async timed<T>(n: number, why: WaitEntry["why"], wait: () => Promise<T>): Promise<T> {
    const startedAt = this.deps.clock.now();
    try {
      return await wait();
    } finally {
      const durationMs = this.deps.clock.now() - startedAt;
      if (durationMs > 0) this.deps.state.logEntry({ kind: "wait", part: n, startedAt, durationMs, why });
    }
  }

  private tallied(tally: Tally, failure: Failure): Tally {
    const key = streakKey(failure);
    return { attempt: tally.attempt + 1, streak: key === tally.lastKey ? tally.streak + 1 : 1, lastKey: key };
  }

  /** Logs the failure and waits out what follows it; returns whether the next attempt is the waiting phase's probe. */
  private async afterFailure(n: number, failure: Failure, tally: Tally, probing: boolean) {
    const { state, control, connectivity } = this.deps;
    const phase = state.current.phase;
    const online = this.deps.online() && phase !== "offline" && phase !== "reconnecting";
    const decision = decide(failure, tally, this.deps.policy(), online, this.deps.random);
    const next = decision.action === "retry" ? "retry" : decision.action === "wait" ? "wait" : "fatal";
    this.logAttempt(n, { outcome: "failed", reason: decision.reason, category: retryReasonOf(failure), next });
    if (decision.action === "give-up") throw this.fatal(n, decision.reason, decision.gone);
    // While the connection is known to be down, network failures wait for it instead of using up attempts.
    if (decision.action === "retry" && !decision.countsAsAttempt) tally.attempt -= 1;
    state.partFailed(n, decision.reason);
    this.deps.parts.forget(n, decision);
    if (failure.type === "network" || failure.type === "stall") connectivity.networkFailed();
    if (decision.action === "wait")
      return this.timed(n, "waiting", () => this.deps.waiting.wait("storage", decision.reason, probing));
    await this.timed(n, "backoff", () => control.sleep(decision.delayMs));
    return false;
  }

  /** Part `n` failed in a way no retry fixes: its square says so, and the upload fails with `reason`. */
  private fatal(n: number, reason: string, gone: boolean): UploadFailedError {
    this.logAttempt(n, { outcome: "failed", reason, next: "fatal" });
    this.deps.state.partFailed(n, reason, true);
    return new UploadFailedError(reason, gone);
  }
}
