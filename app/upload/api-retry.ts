import { ApiError } from "./api";
import { classifyApiError, type RetryPolicy } from "./retry";
import type { RunControl } from "./run-control";
import type { SignInWait } from "./sign-in-wait";
import type { CallEntry, WaitEntry } from "./attempt-log";
import type { WaitingRoom } from "./waiting";

export interface ApiRetryOptions {
  control: RunControl;
  policy: () => RetryPolicy;
  online: () => boolean;
  random: () => number;
  now: () => number;
  waiting: WaitingRoom;
  signIn: SignInWait;
  /** A call got no answer (status 0). */
  onNetworkFailure: () => void;
  /** For the retry timeline: a call failed (and what followed), and the waits before it was made again. */
  log: (entry: CallEntry | WaitEntry) => void;
}

/** Makes one API call (named for the timeline) with retries; `ignoreCancel` for aborting a cancelled upload. */
export type ApiCaller = <T>(name: string, call: () => Promise<T>, ignoreCancel?: boolean) => Promise<T>;

/**
 * Calls to the app's API, retried as `classifyApiError` says with the same backoff as parts; once the
 * attempts are spent the upload waits (WaitingRoom) and the call is the probe; a 401 waits for the
 * person to sign in again. Between tries they wait while the upload is in a hold phase.
 */
export function apiCaller(options: ApiRetryOptions): ApiCaller {
  const { control } = options;
  return async (name, call, ignoreCancel = false) => {
    let probing = false;
    for (let attempt = 1; ; attempt += 1) {
      if (!ignoreCancel) control.throwIfStopped();
      const startedAt = options.now();
      try {
        const result = await call();
        if (!ignoreCancel) options.waiting.succeeded();
        return result;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const decision = classifyApiError(error.status, attempt, options.policy(), options.online(), options.random);
        const gives = decision.action === "give-up" || (ignoreCancel && decision.action !== "retry");
        const reason = error.status === 0 ? "no answer from the app" : `the app answered ${error.status}`;
        const next = gives ? "fatal" : decision.action === "retry" ? "retry" : "wait";
        const durationMs = options.now() - startedAt;
        options.log({ kind: "call", call: name, attempt, startedAt, durationMs, outcome: "failed", reason, next });
        if (gives) throw error;
        const waitStarted = options.now();
        if (decision.action === "signed-out") {
          await options.signIn.untilSignedIn();
          probing = false;
        } else if (decision.action === "wait") {
          probing = await options.waiting.wait("app", reason, probing);
        } else {
          if (decision.networkClass) options.onNetworkFailure();
          await control.sleep(decision.delayMs, ignoreCancel);
          probing = false;
        }
        if (!probing) await control.untilRunnable(ignoreCancel);
        const why = decision.action === "retry" ? "backoff" : decision.action === "wait" ? "waiting" : "held";
        const waitedMs = options.now() - waitStarted;
        if (waitedMs > 0) options.log({ kind: "wait", part: null, startedAt: waitStarted, durationMs: waitedMs, why });
      }
    }
  };
}
