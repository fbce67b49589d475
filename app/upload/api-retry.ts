import { ApiError } from "./api";
import { classifyApiError, type RetryPolicy } from "./retry";
import type { RunControl } from "./run-control";

export interface ApiRetryOptions {
  control: RunControl;
  policy: () => RetryPolicy;
  online: () => boolean;
  random: () => number;
  /** A call got no answer (status 0). */
  onNetworkFailure: () => void;
}

/** Makes one API call with retries; `ignoreCancel` for the call that aborts a cancelled upload on the server. */
export type ApiCaller = <T>(call: () => Promise<T>, ignoreCancel?: boolean) => Promise<T>;

/**
 * Calls to the app's API, retried as `classifyApiError` says with the same backoff as parts; between
 * tries they wait while the upload is paused, offline or reconnecting.
 */
export function apiCaller(options: ApiRetryOptions): ApiCaller {
  const { control } = options;
  return async (call, ignoreCancel = false) => {
    for (let attempt = 1; ; attempt += 1) {
      if (!ignoreCancel) control.throwIfCancelled();
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const decision = classifyApiError(error.status, attempt, options.policy(), options.online(), options.random);
        if (decision.action === "give-up") throw error;
        if (decision.networkClass) options.onNetworkFailure();
        await control.untilRunnable(ignoreCancel);
        await control.sleep(decision.delayMs, ignoreCancel);
      }
    }
  };
}
