import { z } from "zod";
import { S3_LIMITS } from "../../app/shared/plan.js";
import { CHECKSUM_MODES } from "../../app/shared/checksum-mode.js";
import { UPLOAD_DEFAULTS } from "../../app/shared/upload-defaults.js";
import { formatBytes, parseBytes, parseDuration } from "./units.js";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const url = z.string().url();

const bytes = (fallback: string, min = 1, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const value = parseBytes(text);
      if (value === undefined || value < min || value > max) {
        const range =
          max === Number.MAX_SAFE_INTEGER
            ? `at least ${formatBytes(min)}`
            : `from ${formatBytes(min)} to ${formatBytes(max)}, S3's limits for a part`;
        ctx.addIssue({ code: "custom", message: `must be a size such as "8MiB" or a number of bytes, ${range}` });
        return z.NEVER;
      }
      return value;
    });

const duration = (fallback: string, minMs: number, maxMs = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const value = parseDuration(text);
      if (value === undefined || value < minMs || value > maxMs) {
        ctx.addIssue({
          code: "custom",
          message: `must be a duration such as "15m", "24h" or "30s", between ${minMs} ms and ${maxMs} ms`,
        });
        return z.NEVER;
      }
      return value;
    });

/** "count/duration", e.g. "30/1m": at most `count` actions per window of that length. */
const rate = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const [count, window] = text.split("/").map((part) => part.trim());
      const limit = count && /^\d+$/.test(count) ? Number(count) : undefined;
      const windowMs = window ? parseDuration(window) : undefined;
      if (!limit || limit > 1_000_000 || !windowMs || windowMs < 1_000 || windowMs > 86_400_000) {
        ctx.addIssue({
          code: "custom",
          message: `must be "count/duration" such as "30/1m": 1 to 1000000 per 1 s to 24 h`,
        });
        return z.NEVER;
      }
      return { limit, windowMs };
    });

/** Origins separated by spaces or commas ("https://a.example https://b.example"), each reduced to its origin. */
const origins = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const list: string[] = [];
      for (const item of text.split(/[\s,]+/).filter(Boolean)) {
        const url = URL.canParse(item) ? new URL(item) : undefined;
        if (!url || !["http:", "https:"].includes(url.protocol) || url.pathname !== "/" || url.search || url.hash) {
          ctx.addIssue({ code: "custom", message: `"${item}" is not an origin such as https://images.example.com` });
          return z.NEVER;
        }
        list.push(url.origin);
      }
      return list;
    });

/** "type=max,type=max": the content types people may upload, each with its largest size. */
const allowedTypes = z
  .string()
  .default(
    "image/jpeg=25MiB,image/png=25MiB,image/webp=25MiB,image/gif=25MiB,video/mp4=10GiB,video/webm=10GiB,video/quicktime=10GiB",
  )
  .transform((text, ctx) => {
    const entries: Record<string, number> = {};
    for (const item of text
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)) {
      const [type, max] = item.split("=").map((s) => s.trim());
      const size = max ? parseBytes(max) : undefined;
      if (!type || !/^[a-z]+\/[a-z0-9.+-]+$/.test(type) || size === undefined || size < 1) {
        ctx.addIssue({ code: "custom", message: `"${item}" is not "type/subtype=size"` });
        return z.NEVER;
      }
      entries[type] = size;
    }
    return entries;
  });

/**
 * Every setting the app reads from the environment, with its default.
 * The README's configuration table lists the same variables.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  /** The origin people use to reach the app; OAuth redirects and the bucket's CORS rule are built from it. */
  APP_URL: url.optional(),
  DATA_DIR: z.string().min(1).default(".data"),
  /** pino's levels: each prints itself and the levels above it. */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Unset: JSON lines in production, readable lines otherwise. */
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),

  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .optional(),
  /** Connections each app instance opens at most; N instances open up to N times this. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  /** How long a query may run before PostgreSQL cancels it (migrations are exempt). */
  DATABASE_STATEMENT_TIMEOUT: duration("30s", 100),
  /** How long a request waits for a connection (a new one, or a free one from a full pool). */
  DATABASE_CONNECT_TIMEOUT: duration("5s", 100),

  S3_ENDPOINT: url.optional(),
  S3_PUBLIC_ENDPOINT: url.optional(),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be a valid S3 bucket name")
    .default("feedup-media"),
  S3_REGION: z.string().min(1).default("us-east-1"),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: bool.default(true),
  /** The server's own S3 calls (presigned URLs are not calls): connect, whole request, attempts. */
  S3_CONNECT_TIMEOUT: duration("5s", 100),
  S3_REQUEST_TIMEOUT: duration("30s", 1_000),
  S3_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /** Create the bucket and add the app's CORS rule at start (an external S3 is otherwise only checked). */
  S3_PREPARE_BUCKET: bool.default(false),
  /** Unset: the port the embedded local S3 had last time (kept under DATA_DIR), a free one on first start. */
  LOCAL_S3_PORT: z.coerce.number().int().min(0).max(65535).optional(),

  SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** How long a sign-in lasts at most, however active. */
  SESSION_LIFETIME: duration("30d", 60_000),
  /** A session unused for this long ends. */
  SESSION_IDLE_TIMEOUT: duration("7d", 60_000),
  GITHUB_CLIENT_ID: z.string().min(1).optional(),
  GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
  GITHUB_URL: url.default("https://github.com"),
  GITHUB_API_URL: url.default("https://api.github.com"),

  /** The largest JSON or form body a route reads (a full batch of 100 part checksums is about 7 KB). */
  API_BODY_LIMIT: bytes("64KiB", 16 * 1024),

  UPLOAD_PART_SIZE: bytes("8MiB", S3_LIMITS.minPartSize, S3_LIMITS.maxPartSize),
  UPLOAD_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
  UPLOAD_URL_TTL: duration("15m", 10_000, 7 * 86_400_000),
  UPLOAD_ABANDON_AFTER: duration("24h", 60_000),
  UPLOAD_ORPHAN_AFTER: duration("24h", 60_000),
  UPLOAD_SWEEP_INTERVAL: duration("1h", 1_000),
  UPLOAD_QUOTA: bytes("20GiB"),
  UPLOAD_MAX_UNFINISHED: z.coerce.number().int().min(1).max(10_000).default(20),
  UPLOAD_RATE_LIMIT: rate("30/1m"),
  UPLOAD_LIST_PAGE_SIZE: z.coerce.number().int().min(1).max(500).default(50),
  UPLOAD_ALLOWED_TYPES: allowedTypes,
  UPLOAD_RETRY_BASE: duration(`${UPLOAD_DEFAULTS.retry.baseMs}ms`, 1),
  UPLOAD_RETRY_CAP: duration(`${UPLOAD_DEFAULTS.retry.capMs}ms`, 1),
  UPLOAD_RETRY_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(UPLOAD_DEFAULTS.retry.attempts),
  UPLOAD_WAIT_CAP: duration(`${UPLOAD_DEFAULTS.retry.waitCapMs}ms`, 1_000),
  UPLOAD_CHECKSUM: z.enum(CHECKSUM_MODES).default("crc64nvme"),
  UPLOAD_STALL_TIMEOUT: duration(`${UPLOAD_DEFAULTS.stallTimeoutMs}ms`, 1_000),
  MEDIA_URL_TTL: duration("1h", 60_000, 7 * 86_400_000),
  FEED_PAGE_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** Off: no page asks a third party for an avatar (people without a GitHub avatar get initials). */
  AVATAR_GRAVATAR: bool.default(false),
  /** Where pages may load images from besides the app and the bucket: avatars (Gravatar's is added when AVATAR_GRAVATAR is on). */
  CSP_IMG_SOURCES: origins("https://avatars.githubusercontent.com"),
  POST_RATE_LIMIT: rate("10/1m"),

  /** Unset: /metrics answers anyone who reaches it; set: only `Authorization: Bearer <token>`. */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /** Unset: /metrics is served on PORT; set: only on this port (and METRICS_HOST), not on PORT. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().min(1).default("127.0.0.1"),
});

export type Env = z.output<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Cross-field rules: what production requires, and what must come in pairs. */
function crossFieldProblems(env: Env): string[] {
  const problems: string[] = [];
  const production = env.NODE_ENV === "production";
  if (env.S3_ENDPOINT && (!env.S3_ACCESS_KEY_ID || !env.S3_SECRET_ACCESS_KEY)) {
    if (!env.S3_ACCESS_KEY_ID) problems.push("S3_ACCESS_KEY_ID: required when S3_ENDPOINT is set");
    if (!env.S3_SECRET_ACCESS_KEY) problems.push("S3_SECRET_ACCESS_KEY: required when S3_ENDPOINT is set");
  }
  if (Boolean(env.GITHUB_CLIENT_ID) !== Boolean(env.GITHUB_CLIENT_SECRET)) {
    problems.push(
      `${env.GITHUB_CLIENT_ID ? "GITHUB_CLIENT_SECRET" : "GITHUB_CLIENT_ID"}: GitHub sign-in needs both GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET`,
    );
  }
  if (production) {
    if (!env.SESSION_SECRET) problems.push("SESSION_SECRET: required in production (at least 32 characters)");
    if (!env.GITHUB_CLIENT_ID)
      problems.push("GITHUB_CLIENT_ID: required in production (GitHub is the only sign-in there)");
    if (!env.GITHUB_CLIENT_SECRET && !env.GITHUB_CLIENT_ID)
      problems.push("GITHUB_CLIENT_SECRET: required in production");
    if (!env.APP_URL)
      problems.push("APP_URL: required in production (the public origin, e.g. https://feed.example.com)");
    if (!env.DATABASE_URL)
      problems.push("DATABASE_URL: required in production (the embedded PostgreSQL is for development)");
    if (!env.S3_ENDPOINT)
      problems.push("S3_ENDPOINT: required in production (the local S3 is for development and tests)");
  }
  return problems;
}

/** Parses the environment once, naming every bad or missing variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  // Treat empty strings as unset, as shells and .env files often leave them.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
  }
  const problems = crossFieldProblems(result.data);
  if (problems.length > 0) throw new ConfigError(problems);
  return result.data;
}
