/** How a part attempt failed, as the transport or the API reports it. */
export type Failure =
  { type: "network" } | { type: "stall" } | { type: "http"; status: number; code?: string; message?: string };

export interface RetryPolicy {
  baseMs: number;
  capMs: number;
  /** Attempts per part before the upload waits (network failures while offline never count). */
  maxAttempts: number;
  /** The longest pause between two probes of the waiting phase. */
  waitCapMs: number;
}

/** The policy from the settings the server hands the browser (or the shared defaults). */
export function retryPolicy(settings: { baseMs: number; capMs: number; attempts: number; waitCapMs: number }) {
  const { baseMs, capMs, attempts, waitCapMs } = settings;
  return { baseMs, capMs, maxAttempts: attempts, waitCapMs } satisfies RetryPolicy;
}

/** What to do about a failure, before counting attempts. */
export type Remedy =
  | { kind: "backoff"; networkClass: boolean; reason: string }
  | { kind: "resign"; reason: string }
  | { kind: "rehash"; reason: string }
  | { kind: "stop"; reason: string; gone: boolean };

/** S3 errors that say "try again later" although their status is a 4xx. */
const TRANSIENT_CODES = new Set(["RequestTimeout", "IncompleteBody", "OperationAborted", "SlowDown"]);
/** S3 errors fixed by a freshly signed URL (a 403 of any code is one too). */
const RESIGN_CODES = new Set(["ExpiredToken", "TokenRefreshRequired", "RequestTimeTooSkewed"]);

const withCode = (status: number, code?: string) => `${status}${code ? ` ${code}` : ""}`;

/** Why storage refused a signed URL, in words. */
function refusalReason(status: number, code?: string, message?: string): string {
  if (/expired/i.test(message ?? "")) return "upload link expired";
  if (code === "SignatureDoesNotMatch") return "upload link refused";
  if (code === "RequestTimeTooSkewed") return "upload link refused (clock skew)";
  return `upload link refused (${withCode(status, code)})`;
}

/**
 * The classifier: a pure table from failure to remedy. Everything storage might get over by itself
 * backs off; every 403 (expired, signature, clock skew, any AccessDenied) is answered with a fresh URL
 * from the app, which is the one that decides who may upload; only what no retry can fix stops.
 */
export function classify(failure: Failure): Remedy {
  if (failure.type === "network") return { kind: "backoff", networkClass: true, reason: "connection lost" };
  if (failure.type === "stall") return { kind: "backoff", networkClass: true, reason: "no progress (stalled)" };
  const { status, code, message } = failure;
  if (status === 429 || status === 408 || (code && TRANSIENT_CODES.has(code)))
    return { kind: "backoff", networkClass: false, reason: `storage busy (${withCode(status, code)})` };
  if (status >= 500) return { kind: "backoff", networkClass: false, reason: `storage error ${withCode(status, code)}` };
  if (status === 403 || (code && RESIGN_CODES.has(code)))
    return { kind: "resign", reason: refusalReason(status, code, message) };
  if (status === 400 && code === "BadDigest") return { kind: "rehash", reason: "bytes changed in transit" };
  if (status === 404 && code === "NoSuchUpload") {
    return { kind: "stop", reason: "This upload no longer exists on the server.", gone: true };
  }
  return { kind: "stop", reason: message || `The server refused the upload (${withCode(status, code)}).`, gone: false };
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

/** The waiting phase's first probe comes after at most this long; then the pause doubles up to the cap. */
export const FIRST_WAIT_MS = 5_000;

/**
 * The pause before the waiting phase's `probe`-th probe: 5 s, 10 s, 20 s … up to the cap, with half
 * of it jittered (so tabs waiting on the same storage do not probe in step, yet none probes at once).
 */
export function waitDelay(probe: number, policy: Pick<RetryPolicy, "waitCapMs">, random = Math.random): number {
  const ceiling = Math.min(policy.waitCapMs, FIRST_WAIT_MS * 2 ** Math.max(0, probe - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** A part's failures so far: attempts used, and how many failures in a row had the same remedy. */
export interface PartHistory {
  attempt: number;
  /** Failures in a row, this one included, that called for the same remedy (network, refusal, …). */
  streak: number;
}

export type Decision =
  | { action: "retry"; delayMs: number; resign: boolean; rehash: boolean; countsAsAttempt: boolean; reason: string }
  /** The part's attempts are spent on a failure time may cure: the upload waits and probes. */
  | { action: "wait"; resign: boolean; rehash: boolean; reason: string }
  | { action: "give-up"; reason: string; gone: boolean };

/**
 * Decides the next step for a part after a failure, given its history (this failure included).
 * Network-class failures while the browser is offline do not use up attempts. A connection-level
 * failure re-signs from the second in a row (the storage endpoint may have moved); a refused URL is
 * re-signed at once the first time, then with backoff. Nothing but a "stop" remedy ever gives up.
 */
export function decide(
  failure: Failure,
  history: PartHistory,
  policy: RetryPolicy,
  online: boolean,
  random: () => number = Math.random,
): Decision {
  const remedy = classify(failure);
  if (remedy.kind === "stop") return { action: "give-up", reason: remedy.reason, gone: remedy.gone };
  const { attempt, streak } = history;
  const countsAsAttempt = !(remedy.kind === "backoff" && remedy.networkClass && !online);
  const resign = remedy.kind !== "backoff" || (remedy.networkClass && streak >= 2);
  const rehash = remedy.kind === "rehash";
  if (countsAsAttempt && attempt >= policy.maxAttempts)
    return { action: "wait", resign, rehash, reason: remedy.reason };
  // A fresh link or a fresh hash usually fixes these: the first time, try again at once.
  const atOnce = remedy.kind === "rehash" || (remedy.kind === "resign" && streak === 1);
  const delayMs = atOnce ? 0 : backoffDelay(attempt, policy, random);
  return { action: "retry", delayMs, resign, rehash, countsAsAttempt, reason: remedy.reason };
}

/** The remedy class a failure belongs to, for counting failures in a row. */
export function streakKey(failure: Failure): string {
  const remedy = classify(failure);
  return remedy.kind === "backoff" ? `backoff:${remedy.networkClass}` : remedy.kind;
}

export type ApiDecision =
  | { action: "retry"; delayMs: number; networkClass: boolean }
  /** Attempts spent on a failure time may cure: the upload waits and probes. */
  | { action: "wait" }
  /** The session expired: the upload pauses until the person signs in again. */
  | { action: "signed-out" }
  | { action: "give-up" };

/**
 * The rule for calls to the app's own API, after the `attempt`-th call failed with `status` (0 when
 * the request got no answer): network failures, 5xx, 408 and 429 back off and retry, then wait (an
 * app restart or deploy is a wait, never a failure); 401 waits for the person to sign in again; any
 * other refusal (403, 404, 409, 400, 422 …) is final. Network failures while offline never count.
 */
export function classifyApiError(
  status: number,
  attempt: number,
  policy: RetryPolicy,
  online: boolean,
  random: () => number = Math.random,
): ApiDecision {
  if (status === 401) return { action: "signed-out" };
  const networkClass = status === 0;
  const retryable = networkClass || status >= 500 || status === 429 || status === 408;
  if (!retryable) return { action: "give-up" };
  const waitsForConnection = networkClass && !online;
  if (!waitsForConnection && attempt >= policy.maxAttempts) return { action: "wait" };
  return { action: "retry", delayMs: backoffDelay(attempt, policy, random), networkClass };
}

/** Reads an S3 XML error body: `<Error><Code>…</Code><Message>…</Message></Error>`. */
export function parseS3Error(status: number, body: string): Failure {
  const code = body.match(/<Code>([^<]*)<\/Code>/)?.[1];
  const message = body.match(/<Message>([^<]*)<\/Message>/)?.[1];
  return { type: "http", status, ...(code ? { code } : {}), ...(message ? { message } : {}) };
}
