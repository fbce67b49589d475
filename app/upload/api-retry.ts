import { ApiError } from "./api";
import { classifyApiError, type RetryPolicy } from "./retry";
import type { RunControl } from "./run-control";
import type { SignInWait } from "./sign-in-wait";
import type { RetryEvent } from "./upload-state";
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
  /** A call failed and will be made again (or is waited out): for the retry timeline. */
  onRetry: (event: RetryEvent) => void;
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
        if (decision.action === "give-up" || (ignoreCancel && decision.action !== "retry")) throw error;
        const reason = error.status === 0 ? "no answer from the app" : `the app answered ${error.status}`;
        const delayMs = decision.action === "retry" ? decision.delayMs : 0;
        const outcome = decision.action === "retry" ? "retry" : "wait";
        const at = options.now();
        options.onRetry({
          at,
          partNumber: null,
          call: name,
          attempt,
          durationMs: at - startedAt,
          outcome,
          reason,
          delayMs,
          resigned: false,
        });
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
      }
    }
  };
}
