import { describe, expect, it } from "vitest";
import { UPLOAD_DEFAULTS } from "~/shared/upload-defaults";
import { buildAppConfig, logSettings } from "../../server/config/app-config.js";
import { ConfigError, parseEnv } from "../../server/config/env.js";

function problems(env: Record<string, string>): string[] {
  try {
    parseEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("environment", () => {
  it("needs nothing in development and fills in every default", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      NODE_ENV: "development",
      PORT: 3000,
      DATA_DIR: ".data",
      S3_BUCKET: "feedup-media",
      S3_REGION: "us-east-1",
      S3_FORCE_PATH_STYLE: true,
      GITHUB_URL: "https://github.com",
      GITHUB_API_URL: "https://api.github.com",
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.S3_ENDPOINT).toBeUndefined();
  });

  it("names each bad variable at once", () => {
    const found = problems({
      PORT: "eighty",
      DATABASE_URL: "mysql://x",
      S3_ENDPOINT: "not a url",
      SESSION_SECRET: "short",
    });
    expect(found.map((p) => p.split(":")[0]).sort()).toEqual(["DATABASE_URL", "PORT", "S3_ENDPOINT", "SESSION_SECRET"]);
  });

  it("requires credentials with an external S3 endpoint", () => {
    expect(problems({ S3_ENDPOINT: "https://s3.example.com" }).map((p) => p.split(":")[0])).toEqual([
      "S3_ACCESS_KEY_ID",
      "S3_SECRET_ACCESS_KEY",
    ]);
  });

  it("requires both halves of a GitHub app", () => {
    expect(problems({ GITHUB_CLIENT_ID: "id" })).toEqual([expect.stringMatching(/^GITHUB_CLIENT_SECRET:/)]);
  });

  it("refuses to start production without GitHub, a session secret, a public URL, a database and S3", () => {
    const names = problems({ NODE_ENV: "production" }).map((p) => p.split(":")[0]);
    expect(names).toEqual(
      expect.arrayContaining(["SESSION_SECRET", "GITHUB_CLIENT_ID", "APP_URL", "DATABASE_URL", "S3_ENDPOINT"]),
    );
  });

  it("treats empty values as unset and parses booleans", () => {
    const env = parseEnv({ DATABASE_URL: "", S3_FORCE_PATH_STYLE: "false" });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.S3_FORCE_PATH_STYLE).toBe(false);
  });
});

describe("upload knobs", () => {
  it("default to 8 MiB parts, 4 in parallel, 15-minute URLs, a day before abandoning, 20 GiB quota", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      UPLOAD_PART_SIZE: 8 * 2 ** 20,
      UPLOAD_CONCURRENCY: 4,
      UPLOAD_URL_TTL: 15 * 60_000,
      UPLOAD_ABANDON_AFTER: 24 * 3_600_000,
      UPLOAD_QUOTA: 20 * 2 ** 30,
      UPLOAD_RETRY_BASE: 1000,
      UPLOAD_RETRY_CAP: 30_000,
      UPLOAD_RETRY_ATTEMPTS: 8,
    });
    expect(env.UPLOAD_ALLOWED_TYPES).toEqual({
      "image/jpeg": 25 * 2 ** 20,
      "image/png": 25 * 2 ** 20,
      "image/webp": 25 * 2 ** 20,
      "image/gif": 25 * 2 ** 20,
      "video/mp4": 10 * 2 ** 30,
      "video/webm": 10 * 2 ** 30,
      "video/quicktime": 10 * 2 ** 30,
    });
  });

  it("take the retry and stall defaults from the module the browser uses too", () => {
    const env = parseEnv({});
    expect(env.UPLOAD_STALL_TIMEOUT).toBe(20_000);
    expect(env.UPLOAD_WAIT_CAP).toBe(60_000);
    expect({
      retry: {
        baseMs: env.UPLOAD_RETRY_BASE,
        capMs: env.UPLOAD_RETRY_CAP,
        attempts: env.UPLOAD_RETRY_ATTEMPTS,
        waitCapMs: env.UPLOAD_WAIT_CAP,
      },
      stallTimeoutMs: env.UPLOAD_STALL_TIMEOUT,
    }).toEqual(UPLOAD_DEFAULTS);
  });

  it("read sizes and durations in human units", () => {
    const env = parseEnv({ UPLOAD_PART_SIZE: "16 MiB", UPLOAD_URL_TTL: "90s", UPLOAD_ALLOWED_TYPES: "video/mp4=1GB" });
    expect(env.UPLOAD_PART_SIZE).toBe(16 * 2 ** 20);
    expect(env.UPLOAD_URL_TTL).toBe(90_000);
    expect(env.UPLOAD_ALLOWED_TYPES).toEqual({ "video/mp4": 1e9 });
  });

  it("name malformed knobs", () => {
    const names = problems({
      UPLOAD_PART_SIZE: "big",
      UPLOAD_URL_TTL: "soon",
      UPLOAD_ALLOWED_TYPES: "mp4",
      UPLOAD_CONCURRENCY: "0",
    }).map((p) => p.split(":")[0]);
    expect(names.sort()).toEqual(["UPLOAD_ALLOWED_TYPES", "UPLOAD_CONCURRENCY", "UPLOAD_PART_SIZE", "UPLOAD_URL_TTL"]);
  });

  it("refuse a part size outside S3's limits instead of changing it", () => {
    expect(problems({ UPLOAD_PART_SIZE: "4MiB" })).toEqual([
      'UPLOAD_PART_SIZE: must be a size such as "8MiB" or a number of bytes, from 5 MiB to 5 GiB, S3\'s limits for a part',
    ]);
    expect(problems({ UPLOAD_PART_SIZE: "6GiB" })).toHaveLength(1);
    expect(parseEnv({ UPLOAD_PART_SIZE: "5MiB" }).UPLOAD_PART_SIZE).toBe(5 * 2 ** 20);
  });

  it("leave the local S3's port to the data directory unless one is set", () => {
    expect(parseEnv({}).LOCAL_S3_PORT).toBeUndefined();
    expect(parseEnv({ LOCAL_S3_PORT: "0" }).LOCAL_S3_PORT).toBe(0);
  });
});

describe("database and S3 client knobs", () => {
  it("default to a 10-connection pool, 30 s statements, 5 s to connect, and 3 S3 attempts of at most 30 s", () => {
    expect(parseEnv({})).toMatchObject({
      DATABASE_POOL_SIZE: 10,
      DATABASE_STATEMENT_TIMEOUT: 30_000,
      DATABASE_CONNECT_TIMEOUT: 5_000,
      S3_CONNECT_TIMEOUT: 5_000,
      S3_REQUEST_TIMEOUT: 30_000,
      S3_MAX_ATTEMPTS: 3,
    });
  });

  it("reach the pool and the S3 client settings", () => {
    const env = parseEnv({ DATABASE_POOL_SIZE: "3", DATABASE_STATEMENT_TIMEOUT: "2s", S3_MAX_ATTEMPTS: "1" });
    const config = buildAppConfig(env, {
      dataDir: "/d",
      databaseUrl: "postgres://x",
      sessionSecret: "s",
      appUrl: "http://a",
    });
    expect(config.database).toEqual({ poolSize: 3, statementTimeoutMs: 2_000, connectTimeoutMs: 5_000 });
    expect(config.s3).toMatchObject({ connectTimeoutMs: 5_000, requestTimeoutMs: 30_000, maxAttempts: 1 });
  });

  it("refuse an empty pool, a zero timeout and more than 10 attempts", () => {
    const found = problems({ DATABASE_POOL_SIZE: "0", S3_REQUEST_TIMEOUT: "0s", S3_MAX_ATTEMPTS: "11" });
    expect(found.map((p) => p.split(":")[0]).sort()).toEqual([
      "DATABASE_POOL_SIZE",
      "S3_MAX_ATTEMPTS",
      "S3_REQUEST_TIMEOUT",
    ]);
  });
});

describe("logging and metrics settings", () => {
  it("take pino's levels, and write JSON lines in production and readable lines elsewhere unless told", () => {
    expect(parseEnv({ LOG_LEVEL: "warn" }).LOG_LEVEL).toBe("warn");
    expect(problems({ LOG_LEVEL: "verbose" }).map((p) => p.split(":")[0])).toEqual(["LOG_LEVEL"]);
    expect(logSettings(parseEnv({}))).toEqual({ level: "info", format: "pretty" });
    expect(logSettings({ ...parseEnv({}), NODE_ENV: "production" })).toEqual({ level: "info", format: "json" });
    expect(logSettings(parseEnv({ LOG_FORMAT: "json", LOG_LEVEL: "debug" }))).toEqual({
      level: "debug",
      format: "json",
    });
  });

  it("refuse a short metrics token and a bad metrics port", () => {
    expect(
      problems({ METRICS_TOKEN: "short", METRICS_PORT: "http" })
        .map((p) => p.split(":")[0])
        .sort(),
    ).toEqual(["METRICS_PORT", "METRICS_TOKEN"]);
    expect(parseEnv({}).METRICS_HOST).toBe("127.0.0.1");
    expect(parseEnv({ S3_PREPARE_BUCKET: "true" }).S3_PREPARE_BUCKET).toBe(true);
  });
});

describe("limits", () => {
  it("default to 20 unfinished uploads, 30 new uploads and 10 posts a minute, 64 KiB bodies, 30-day sessions idle after 7", () => {
    expect(parseEnv({})).toMatchObject({
      UPLOAD_MAX_UNFINISHED: 20,
      UPLOAD_RATE_LIMIT: { limit: 30, windowMs: 60_000 },
      POST_RATE_LIMIT: { limit: 10, windowMs: 60_000 },
      UPLOAD_LIST_PAGE_SIZE: 50,
      API_BODY_LIMIT: 64 * 1024,
      SESSION_LIFETIME: 30 * 86_400_000,
      SESSION_IDLE_TIMEOUT: 7 * 86_400_000,
    });
  });

  it("read rates as count/duration", () => {
    expect(parseEnv({ UPLOAD_RATE_LIMIT: "100 / 1h", POST_RATE_LIMIT: "2/10s" })).toMatchObject({
      UPLOAD_RATE_LIMIT: { limit: 100, windowMs: 3_600_000 },
      POST_RATE_LIMIT: { limit: 2, windowMs: 10_000 },
    });
  });

  it("name malformed limits", () => {
    const names = problems({
      UPLOAD_RATE_LIMIT: "30",
      POST_RATE_LIMIT: "0/1m",
      API_BODY_LIMIT: "1KiB",
      SESSION_IDLE_TIMEOUT: "1s",
    }).map((p) => p.split(":")[0]);
    expect(names.sort()).toEqual(["API_BODY_LIMIT", "POST_RATE_LIMIT", "SESSION_IDLE_TIMEOUT", "UPLOAD_RATE_LIMIT"]);
    expect(problems({ UPLOAD_RATE_LIMIT: "5/2d" })).toHaveLength(1);
  });
});
