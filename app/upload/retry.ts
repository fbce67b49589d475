/** How a part attempt failed, as the transport or the API reports it. */
export type Failure =
  { type: "network" } | { type: "stall" } | { type: "http"; status: number; code?: string; message?: string };

export interface RetryPolicy {
  baseMs: number;
  capMs: number;
  /** Attempts per part before giving up (network failures while offline never count). */
  maxAttempts: number;
}

/** The policy from the settings the server hands the browser (or the shared defaults). */
export function retryPolicy(settings: { baseMs: number; capMs: number; attempts: number }): RetryPolicy {
  return { baseMs: settings.baseMs, capMs: settings.capMs, maxAttempts: settings.attempts };
}

/** What to do about a failure, before counting attempts. */
export type Remedy =
  | { kind: "backoff"; networkClass: boolean; reason: string }
  | { kind: "resign"; reason: string }
  | { kind: "rehash"; reason: string }
  | { kind: "stop"; reason: string; gone: boolean };

/** The classifier: a pure table from failure to remedy. */
export function classify(failure: Failure): Remedy {
  if (failure.type === "network") return { kind: "backoff", networkClass: true, reason: "connection lost" };
  if (failure.type === "stall") return { kind: "backoff", networkClass: true, reason: "no progress (stalled)" };
  const { status, code, message } = failure;
  if (status === 429 || code === "SlowDown")
    return { kind: "backoff", networkClass: false, reason: "storage asked to slow down" };
  if (status >= 500)
    return { kind: "backoff", networkClass: false, reason: `storage error ${status}${code ? ` ${code}` : ""}` };
  if (status === 403 && code === "AccessDenied" && /expired/i.test(message ?? ""))
    return { kind: "resign", reason: "upload link expired" };
  if (status === 403 && code === "SignatureDoesNotMatch") return { kind: "resign", reason: "upload link refused" };
  if (status === 400 && code === "BadDigest") return { kind: "rehash", reason: "bytes changed in transit" };
  if (status === 404 && code === "NoSuchUpload") {
    return { kind: "stop", reason: "This upload no longer exists on the server.", gone: true };
  }
  return {
    kind: "stop",
    reason: message || `The server refused the upload (${status}${code ? ` ${code}` : ""}).`,
    gone: false,
  };
}

/** Exponential backoff with full jitter: a uniform delay in [0, min(cap, base · 2^(attempt-1))]. */
export function backoffDelay(
  attempt: number,
  policy: Pick<RetryPolicy, "baseMs" | "capMs">,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

export type Decision =
  | { action: "retry"; delayMs: number; resign: boolean; rehash: boolean; countsAsAttempt: boolean; reason: string }
  | { action: "give-up"; reason: string; gone: boolean };

/**
 * Decides the next step for a part after its `attempt`-th failure. Network-class failures while the
 * browser is offline do not use up attempts: the upload waits for the connection instead.
 */
export function decide(
  failure: Failure,
  attempt: number,
  policy: RetryPolicy,
  online: boolean,
  random: () => number = Math.random,
): Decision {
  const remedy = classify(failure);
  if (remedy.kind === "stop") return { action: "give-up", reason: remedy.reason, gone: remedy.gone };
  const countsAsAttempt = !(remedy.kind === "backoff" && remedy.networkClass && !online);
  if (countsAsAttempt && attempt >= policy.maxAttempts) {
    return { action: "give-up", reason: `Gave up after ${attempt} attempts (${remedy.reason}).`, gone: false };
  }
  if (remedy.kind === "backoff") {
    return {
      action: "retry",
      delayMs: backoffDelay(attempt, policy, random),
      resign: false,
      rehash: false,
      countsAsAttempt,
      reason: remedy.reason,
    };
  }
  // A fresh link or fresh hash fixes these; retrying at once is right.
  return {
    action: "retry",
    delayMs: 0,
    resign: true,
    rehash: remedy.kind === "rehash",
    countsAsAttempt,
    reason: remedy.reason,
  };
}

export type ApiDecision = { action: "retry"; delayMs: number; networkClass: boolean } | { action: "give-up" };

/**
 * The rule for calls to the app's own API, after the `attempt`-th call failed with `status` (0 when
 * the request got no answer): network failures, 5xx and 429 back off and retry, anything else is final.
 * While the browser is offline, network failures never give up: the call waits for the connection.
 */
export function classifyApiError(
  status: number,
  attempt: number,
  policy: RetryPolicy,
  online: boolean,
  random: () => number = Math.random,
): ApiDecision {
  const networkClass = status === 0;
  const retryable = networkClass || status >= 500 || status === 429;
  const waitsForConnection = networkClass && !online;
  if (!retryable || (!waitsForConnection && attempt >= policy.maxAttempts)) return { action: "give-up" };
  return { action: "retry", delayMs: backoffDelay(attempt, policy, random), networkClass };
}

/** Reads an S3 XML error body: `<Error><Code>…</Code><Message>…</Message></Error>`. */
export function parseS3Error(status: number, body: string): Failure {
  const code = body.match(/<Code>([^<]*)<\/Code>/)?.[1];
  const message = body.match(/<Message>([^<]*)<\/Message>/)?.[1];
  return { type: "http", status, ...(code ? { code } : {}), ...(message ? { message } : {}) };
}
