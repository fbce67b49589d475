import { describe, expect, it } from "vitest";
import {
  backoffDelay,
  classify,
  classifyApiError,
  decide,
  parseS3Error,
  retryPolicy,
  streakKey,
  waitDelay,
  type Failure,
} from "~/upload/retry";

const policy = { baseMs: 1000, capMs: 30_000, maxAttempts: 8, waitCapMs: 60_000 };

describe("classifier", () => {
  it.each<[string, Failure, string]>([
    ["network error", { type: "network" }, "backoff"],
    ["stall", { type: "stall" }, "backoff"],
    ["500 InternalError", { type: "http", status: 500, code: "InternalError" }, "backoff"],
    ["502 without body", { type: "http", status: 502 }, "backoff"],
    ["503 SlowDown", { type: "http", status: 503, code: "SlowDown" }, "backoff"],
    ["429", { type: "http", status: 429 }, "backoff"],
    ["408", { type: "http", status: 408 }, "backoff"],
    ["400 RequestTimeout (S3's idle socket)", { type: "http", status: 400, code: "RequestTimeout" }, "backoff"],
    ["400 IncompleteBody", { type: "http", status: 400, code: "IncompleteBody" }, "backoff"],
    ["409 OperationAborted", { type: "http", status: 409, code: "OperationAborted" }, "backoff"],
    ["403 expired", { type: "http", status: 403, code: "AccessDenied", message: "Request has expired" }, "resign"],
    ["403 signature", { type: "http", status: 403, code: "SignatureDoesNotMatch" }, "resign"],
    ["403 clock skew", { type: "http", status: 403, code: "RequestTimeTooSkewed" }, "resign"],
    [
      "403 AccessDenied (not expiry)",
      { type: "http", status: 403, code: "AccessDenied", message: "Access Denied" },
      "resign",
    ],
    ["403 without body", { type: "http", status: 403 }, "resign"],
    ["400 ExpiredToken", { type: "http", status: 400, code: "ExpiredToken" }, "resign"],
    ["400 BadDigest", { type: "http", status: 400, code: "BadDigest" }, "rehash"],
    ["404 NoSuchUpload", { type: "http", status: 404, code: "NoSuchUpload" }, "stop"],
    [
      "400 InvalidArgument",
      { type: "http", status: 400, code: "InvalidArgument", message: "Part number must be…" },
      "stop",
    ],
    ["200 without ETag (CORS)", { type: "http", status: 200, code: "MissingETag" }, "stop"],
  ])("%s → %s", (_name, failure, kind) => {
    expect(classify(failure).kind).toBe(kind);
  });

  it("says why a link was refused", () => {
    const reasons = [
      { type: "http", status: 403, code: "AccessDenied", message: "Request has expired" },
      { type: "http", status: 403, code: "SignatureDoesNotMatch" },
      { type: "http", status: 403, code: "RequestTimeTooSkewed" },
      { type: "http", status: 403, code: "AccessDenied", message: "Access Denied" },
    ].map((f) => classify(f as Failure).reason);
    expect(reasons).toEqual([
      "upload link expired",
      "upload link refused",
      "upload link refused (clock skew)",
      "upload link refused (403 AccessDenied)",
    ]);
  });

  it("stops with a plain message when the upload is gone, and with the server's message otherwise", () => {
    expect(classify({ type: "http", status: 404, code: "NoSuchUpload" })).toMatchObject({
      reason: "This upload no longer exists on the server.",
      gone: true,
    });
    expect(
      classify({
        type: "http",
        status: 400,
        code: "EntityTooLarge",
        message: "Your proposed upload exceeds the maximum allowed size",
      }),
    ).toMatchObject({
      reason: "Your proposed upload exceeds the maximum allowed size",
      gone: false,
    });
  });

  it("reads S3's XML errors", () => {
    expect(parseS3Error(403, "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>")).toEqual(
      {
        type: "http",
        status: 403,
        code: "AccessDenied",
        message: "Request has expired",
      },
    );
    expect(parseS3Error(502, "<html>bad gateway</html>")).toEqual({ type: "http", status: 502 });
  });
});

describe("backoff", () => {
  it("doubles the ceiling from the base up to the cap", () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffDelay(attempt, policy, () => 0.999999));
    expect(ceilings).toEqual([999, 1999, 3999, 7999, 15999, 29999, 29999, 29999]);
  });

  it("draws full jitter: anywhere from 0 up to the ceiling", () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const delays = Array.from({ length: 2000 }, () => backoffDelay(4, policy, random));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(8000);
    // Spread over the whole range, not clustered at the top.
    expect(delays.filter((d) => d < 2000).length).toBeGreaterThan(300);
    expect(delays.filter((d) => d > 6000).length).toBeGreaterThan(300);
  });
});

describe("decisions", () => {
  const first = { attempt: 1, streak: 1 };

  it("retries retryable failures until the attempts run out, then waits (never gives up)", () => {
    const failure: Failure = { type: "http", status: 500 };
    expect(decide(failure, { attempt: 7, streak: 7 }, policy, true, () => 0.5)).toMatchObject({
      action: "retry",
      delayMs: 15_000,
      countsAsAttempt: true,
    });
    expect(decide(failure, { attempt: 8, streak: 8 }, policy, true)).toEqual({
      action: "wait",
      resign: false,
      rehash: false,
      reason: "storage error 500",
    });
    expect(decide({ type: "stall" }, { attempt: 8, streak: 1 }, policy, true).action).toBe("wait");
  });

  it("never exhausts network failures while offline", () => {
    const decision = decide({ type: "network" }, { attempt: 50, streak: 50 }, policy, false, () => 0.5);
    expect(decision).toMatchObject({ action: "retry", countsAsAttempt: false });
    expect(decide({ type: "network" }, { attempt: 8, streak: 8 }, policy, true)).toMatchObject({ action: "wait" });
  });

  it("re-signs after the second connection-level failure in a row, not the first", () => {
    expect(decide({ type: "network" }, first, policy, true, () => 0.5)).toMatchObject({
      action: "retry",
      resign: false,
    });
    expect(decide({ type: "network" }, { attempt: 2, streak: 2 }, policy, true, () => 0.5)).toMatchObject({
      action: "retry",
      resign: true,
      delayMs: 1000,
    });
    expect(decide({ type: "stall" }, { attempt: 3, streak: 2 }, policy, true, () => 0.5)).toMatchObject({
      resign: true,
    });
    // A 500 in between breaks the streak: storage answered, so the URL reaches it.
    expect(decide({ type: "http", status: 500 }, { attempt: 2, streak: 1 }, policy, true)).toMatchObject({
      resign: false,
    });
  });

  it("re-signs a refused link at once the first time, then with backoff, then waits", () => {
    const refused: Failure = { type: "http", status: 403, code: "AccessDenied", message: "Access Denied" };
    expect(decide(refused, first, policy, true)).toMatchObject({ action: "retry", delayMs: 0, resign: true });
    expect(decide(refused, { attempt: 2, streak: 2 }, policy, true, () => 0.5)).toMatchObject({
      action: "retry",
      delayMs: 1000,
      resign: true,
    });
    expect(decide(refused, { attempt: 8, streak: 8 }, policy, true)).toMatchObject({ action: "wait", resign: true });
  });

  it("re-hashes at once on BadDigest", () => {
    expect(decide({ type: "http", status: 400, code: "BadDigest" }, first, policy, true)).toMatchObject({
      action: "retry",
      delayMs: 0,
      resign: true,
      rehash: true,
    });
  });

  it("gives up only on what no retry can fix", () => {
    expect(decide({ type: "http", status: 404, code: "NoSuchUpload" }, first, policy, true)).toEqual({
      action: "give-up",
      reason: "This upload no longer exists on the server.",
      gone: true,
    });
    expect(decide({ type: "http", status: 400, code: "InvalidArgument" }, first, policy, true).action).toBe("give-up");
  });

  it("counts failures in a row by remedy", () => {
    expect(streakKey({ type: "network" })).toBe(streakKey({ type: "stall" }));
    expect(streakKey({ type: "network" })).not.toBe(streakKey({ type: "http", status: 500 }));
    expect(streakKey({ type: "http", status: 403 })).toBe(streakKey({ type: "http", status: 403, code: "X" }));
  });
});

describe("the waiting phase's probes", () => {
  it("start within 5 s and double up to the cap, never below half the pause", () => {
    const highest = [1, 2, 3, 4, 5, 6, 7].map((probe) => waitDelay(probe, policy, () => 1));
    expect(highest).toEqual([5000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000]);
    const lowest = [1, 2, 3, 4, 5].map((probe) => waitDelay(probe, policy, () => 0));
    expect(lowest).toEqual([2500, 5000, 10_000, 20_000, 30_000]);
  });

  it("follow the configured cap", () => {
    expect(waitDelay(10, { waitCapMs: 8000 }, () => 1)).toBe(8000);
    expect(waitDelay(1, { waitCapMs: 2000 }, () => 1)).toBe(2000);
  });
});

describe("API calls", () => {
  it.each<[string, number, string]>([
    ["no answer", 0, "retry"],
    ["500", 500, "retry"],
    ["503", 503, "retry"],
    ["408", 408, "retry"],
    ["429", 429, "retry"],
    ["401 (session expired)", 401, "signed-out"],
    ["400", 400, "give-up"],
    ["403", 403, "give-up"],
    ["404", 404, "give-up"],
    ["409", 409, "give-up"],
    ["422", 422, "give-up"],
  ])("%s → %s", (_name, status, action) => {
    expect(classifyApiError(status, 1, policy, true, () => 0.5).action).toBe(action);
  });

  it("back off like parts, and mark network failures as such", () => {
    expect(classifyApiError(0, 3, policy, true, () => 0.5)).toEqual({
      action: "retry",
      delayMs: 2000,
      networkClass: true,
    });
    expect(classifyApiError(502, 1, policy, true, () => 0.5)).toEqual({
      action: "retry",
      delayMs: 500,
      networkClass: false,
    });
  });

  it("wait once the attempts run out (an app restart is a wait), except on network failures while offline", () => {
    expect(classifyApiError(500, 7, policy, true).action).toBe("retry");
    expect(classifyApiError(500, 8, policy, true).action).toBe("wait");
    expect(classifyApiError(0, 8, policy, true).action).toBe("wait");
    expect(classifyApiError(0, 50, policy, false, () => 0.5)).toMatchObject({ action: "retry", delayMs: 15_000 });
    // Offline excuses only the failures it explains.
    expect(classifyApiError(503, 8, policy, false).action).toBe("wait");
  });
});

describe("policy", () => {
  it("comes from the settings the server hands the browser", () => {
    expect(retryPolicy({ baseMs: 250, capMs: 4000, attempts: 3, waitCapMs: 9000 })).toEqual({
      baseMs: 250,
      capMs: 4000,
      maxAttempts: 3,
      waitCapMs: 9000,
    });
  });
});
