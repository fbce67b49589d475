import { CHECKSUM_MODE, type ChecksumMode } from "../../app/shared/checksum-mode.js";
import type { SessionSettings } from "../auth/session.js";
import type { DatabaseSettings } from "../db/connection.js";
import type { Rate } from "../limits/rate-limit.js";
import type { StorageSettings } from "../storage/s3.js";
import type { Env } from "./env.js";

/** Operator knobs for uploads; the client-facing ones are handed to the browser with each upload. */
export interface UploadSettings {
  partSize: number;
  concurrency: number;
  urlTtlSeconds: number;
  abandonAfterMs: number;
  /** A completed upload in no post for this long is deleted by the sweeper. */
  orphanAfterMs: number;
  sweepIntervalMs: number;
  /** Bytes one user may hold outside posts: declared sizes of unfinished uploads plus completed, unposted ones. */
  quotaBytes: number;
  /** Unfinished uploads one user may have at once. */
  maxUnfinished: number;
  /** New uploads one user may start per window. */
  createRate: Rate;
  /** Unfinished uploads per page of GET /api/uploads. */
  listPageSize: number;
  /** Content type → largest allowed size in bytes. */
  allowedTypes: Record<string, number>;
  retry: { baseMs: number; capMs: number; attempts: number; waitCapMs: number };
  stallTimeoutMs: number;
  /** How new uploads' bytes are checked (an upload keeps the mode it was created with). */
  checksum: ChecksumMode;
}

export interface LogSettings {
  level: Env["LOG_LEVEL"];
  format: "json" | "pretty";
}

export interface MetricsSettings {
  /** Bearer token /metrics requires, when set. */
  token?: string;
  /** When set, /metrics is served only on this port of `host`, not on the app's port. */
  port?: number;
  host: string;
}

/** The settings the running app uses, after embedded services have filled in what the environment left out. */
export interface AppConfig {
  env: Env;
  production: boolean;
  appUrl: string;
  dataDir: string;
  databaseUrl: string;
  database: Required<DatabaseSettings>;
  session: SessionSettings;
  github?: { clientId: string; clientSecret: string; url: string; apiUrl: string };
  /** The "continue as a local user" sign-in: only outside production and without a GitHub app. */
  devSignIn: boolean;
  /** Request bodies: the most bytes a route reads. */
  api: { bodyLimitBytes: number };
  uploads: UploadSettings;
  /** `gravatar`: identicons from gravatar.com for people without a GitHub avatar (off by default). */
  feed: { mediaUrlTtlSeconds: number; pageSize: number; gravatar: boolean };
  posts: { createRate: Rate };
  /** The pages' Content-Security-Policy: image origins besides the app and the bucket (avatars). */
  contentSecurity: { imgSources: string[] };
  s3: StorageSettings;
  /** Create the bucket and its CORS rule at start when missing (always for the embedded local S3). */
  prepareBucket: boolean;
  log: LogSettings;
  metrics: MetricsSettings;
}

/** Logging as configured: LOG_FORMAT, else JSON lines in production and readable lines elsewhere. */
export function logSettings(env: Pick<Env, "LOG_LEVEL" | "LOG_FORMAT" | "NODE_ENV">): LogSettings {
  return {
    level: env.LOG_LEVEL,
    format: env.LOG_FORMAT ?? (env.NODE_ENV === "production" ? "json" : "pretty"),
  };
}

export const databaseSettings = (env: Env): Required<DatabaseSettings> => ({
  poolSize: env.DATABASE_POOL_SIZE,
  statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT,
  connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT,
});

export function buildAppConfig(
  env: Env,
  resolved: {
    dataDir: string;
    databaseUrl: string;
    sessionSecret: string;
    appUrl: string;
    s3Endpoint?: string;
    s3Credentials?: { accessKeyId: string; secretAccessKey: string };
  },
): AppConfig {
  const production = env.NODE_ENV === "production";
  const github =
    env.GITHUB_CLIENT_ID && env.GITHUB_CLIENT_SECRET
      ? {
          clientId: env.GITHUB_CLIENT_ID,
          clientSecret: env.GITHUB_CLIENT_SECRET,
          url: env.GITHUB_URL.replace(/\/$/, ""),
          apiUrl: env.GITHUB_API_URL.replace(/\/$/, ""),
        }
      : undefined;
  return {
    env,
    production,
    appUrl: resolved.appUrl,
    dataDir: resolved.dataDir,
    databaseUrl: resolved.databaseUrl,
    database: databaseSettings(env),
    session: {
      secret: resolved.sessionSecret,
      secure: production,
      lifetimeMs: env.SESSION_LIFETIME,
      idleTimeoutMs: env.SESSION_IDLE_TIMEOUT,
    },
    github,
    devSignIn: !production && !github,
    api: { bodyLimitBytes: env.API_BODY_LIMIT },
    uploads: {
      partSize: env.UPLOAD_PART_SIZE,
      concurrency: env.UPLOAD_CONCURRENCY,
      urlTtlSeconds: Math.round(env.UPLOAD_URL_TTL / 1000),
      abandonAfterMs: env.UPLOAD_ABANDON_AFTER,
      orphanAfterMs: env.UPLOAD_ORPHAN_AFTER,
      sweepIntervalMs: env.UPLOAD_SWEEP_INTERVAL,
      quotaBytes: env.UPLOAD_QUOTA,
      maxUnfinished: env.UPLOAD_MAX_UNFINISHED,
      createRate: env.UPLOAD_RATE_LIMIT,
      listPageSize: env.UPLOAD_LIST_PAGE_SIZE,
      allowedTypes: env.UPLOAD_ALLOWED_TYPES,
      retry: {
        baseMs: env.UPLOAD_RETRY_BASE,
        capMs: env.UPLOAD_RETRY_CAP,
        attempts: env.UPLOAD_RETRY_ATTEMPTS,
        waitCapMs: env.UPLOAD_WAIT_CAP,
      },
      stallTimeoutMs: env.UPLOAD_STALL_TIMEOUT,
      checksum: CHECKSUM_MODE[env.UPLOAD_CHECKSUM],
    },
    feed: {
      mediaUrlTtlSeconds: Math.round(env.MEDIA_URL_TTL / 1000),
      pageSize: env.FEED_PAGE_SIZE,
      gravatar: env.AVATAR_GRAVATAR,
    },
    posts: { createRate: env.POST_RATE_LIMIT },
    contentSecurity: { imgSources: env.CSP_IMG_SOURCES },
    s3: {
      endpoint: resolved.s3Endpoint ?? env.S3_ENDPOINT,
      publicEndpoint: env.S3_PUBLIC_ENDPOINT,
      bucket: env.S3_BUCKET,
      region: env.S3_REGION,
      credentials:
        resolved.s3Credentials ??
        (env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
          ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }
          : undefined),
      forcePathStyle: env.S3_FORCE_PATH_STYLE,
      connectTimeoutMs: env.S3_CONNECT_TIMEOUT,
      requestTimeoutMs: env.S3_REQUEST_TIMEOUT,
      maxAttempts: env.S3_MAX_ATTEMPTS,
    },
    prepareBucket: env.S3_PREPARE_BUCKET || resolved.s3Endpoint !== undefined,
    log: logSettings(env),
    metrics: {
      ...(env.METRICS_TOKEN ? { token: env.METRICS_TOKEN } : {}),
      ...(env.METRICS_PORT !== undefined ? { port: env.METRICS_PORT } : {}),
      host: env.METRICS_HOST,
    },
  };
}
