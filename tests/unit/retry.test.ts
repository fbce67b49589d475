import { describe, expect, it } from "vitest";
import {
  backoffDelay,
  classify,
  classifyApiError,
  decide,
  parseS3Error,
  retryPolicy,
  type Failure,
} from "~/upload/retry";

const policy = { baseMs: 1000, capMs: 30_000, maxAttempts: 8 };

describe("classifier", () => {
  it.each<[string, Failure, string]>([
    ["network error", { type: "network" }, "backoff"],
    ["stall", { type: "stall" }, "backoff"],
    ["500 InternalError", { type: "http", status: 500, code: "InternalError" }, "backoff"],
    ["502 without body", { type: "http", status: 502 }, "backoff"],
    ["503 SlowDown", { type: "http", status: 503, code: "SlowDown" }, "backoff"],
    ["429", { type: "http", status: 429 }, "backoff"],
    ["403 expired", { type: "http", status: 403, code: "AccessDenied", message: "Request has expired" }, "resign"],
    ["403 signature", { type: "http", status: 403, code: "SignatureDoesNotMatch" }, "resign"],
    ["400 BadDigest", { type: "http", status: 400, code: "BadDigest" }, "rehash"],
    ["404 NoSuchUpload", { type: "http", status: 404, code: "NoSuchUpload" }, "stop"],
    [
      "403 AccessDenied (not expiry)",
      { type: "http", status: 403, code: "AccessDenied", message: "Access Denied" },
      "stop",
    ],
    [
      "400 InvalidArgument",
      { type: "http", status: 400, code: "InvalidArgument", message: "Part number must be…" },
      "stop",
    ],
  ])("%s → %s", (_name, failure, kind) => {
    expect(classify(failure).kind).toBe(kind);
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
  it("retries retryable failures until the attempts run out, then gives up with a clear reason", () => {
    const failure: Failure = { type: "http", status: 500 };
    expect(decide(failure, 7, policy, true, () => 0.5)).toMatchObject({ action: "retry", countsAsAttempt: true });
    const last = decide(failure, 8, policy, true);
    expect(last).toEqual({ action: "give-up", reason: "Gave up after 8 attempts (storage error 500).", gone: false });
  });

  it("never exhausts network failures while offline", () => {
    const decision = decide({ type: "network" }, 50, policy, false, () => 0.5);
    expect(decision).toMatchObject({ action: "retry", countsAsAttempt: false });
    expect(decide({ type: "network" }, 8, policy, true)).toMatchObject({ action: "give-up" });
  });

  it("re-signs at once on expiry and re-hashes on BadDigest", () => {
    expect(
      decide({ type: "http", status: 403, code: "AccessDenied", message: "Request has expired" }, 1, policy, true),
    ).toMatchObject({
      action: "retry",
      delayMs: 0,
      resign: true,
      rehash: false,
    });
    expect(decide({ type: "http", status: 400, code: "BadDigest" }, 1, policy, true)).toMatchObject({
      action: "retry",
      resign: true,
      rehash: true,
    });
  });
});

describe("API calls", () => {
  it.each<[string, number, "retry" | "give-up"]>([
    ["no answer", 0, "retry"],
    ["500", 500, "retry"],
    ["503", 503, "retry"],
    ["429", 429, "retry"],
    ["400", 400, "give-up"],
    ["401", 401, "give-up"],
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

  it("give up once the attempts run out, except on network failures while offline", () => {
    expect(classifyApiError(500, 7, policy, true).action).toBe("retry");
    expect(classifyApiError(500, 8, policy, true).action).toBe("give-up");
    expect(classifyApiError(0, 8, policy, true).action).toBe("give-up");
    expect(classifyApiError(0, 50, policy, false, () => 0.5)).toMatchObject({ action: "retry", delayMs: 15_000 });
    // Offline excuses only the failures it explains.
    expect(classifyApiError(503, 8, policy, false).action).toBe("give-up");
  });
});

describe("policy", () => {
  it("comes from the settings the server hands the browser", () => {
    expect(retryPolicy({ baseMs: 250, capMs: 4000, attempts: 3 })).toEqual({
      baseMs: 250,
      capMs: 4000,
      maxAttempts: 3,
    });
  });
});
