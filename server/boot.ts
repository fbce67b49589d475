import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { buildAppConfig, databaseSettings, logSettings, type AppConfig } from "./config/app-config.js";
import { describeMetrics, describeUploadSettings } from "./config/describe.js";
import { parseEnv, type Env } from "./config/env.js";
import { createDb } from "./db/connection.js";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "./db/embedded.js";
import { migrateToLatest } from "./db/migrate.js";
import { describeEvent, startLocalS3OnStickyPort, type LocalS3 } from "./local-s3/index.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { closeServices, createServices, type Services } from "./services.js";
import { prepareBucket, requireReadyBucket } from "./storage/bucket.js";
import { startSweeper } from "./uploads/sweeper.js";

export interface Runtime {
  config: AppConfig;
  log: Logger;
  services: Services;
  embeddedDatabase?: EmbeddedDatabase;
  localS3?: LocalS3;
  stop(): Promise<void>;
}

/** A value generated on first use and kept under the data directory, so restarts keep sessions and data working. */
async function persistentSecret<T>(file: string, create: () => T): Promise<T> {
  if (existsSync(file)) return JSON.parse(await readFile(file, "utf8")) as T;
  const value = create();
  await writeFile(file, JSON.stringify(value), { mode: 0o600 });
  return value;
}

/** Migrations on a connection of their own, free of DATABASE_STATEMENT_TIMEOUT (an index build may take longer). */
async function migrateWithoutTimeout(databaseUrl: string): Promise<string[]> {
  const db = createDb(databaseUrl, { poolSize: 1 });
  try {
    return await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

/**
 * Starts what the app needs: the database (embedded PostgreSQL unless DATABASE_URL), migrations,
 * object storage (the local S3 unless S3_ENDPOINT) and the services loaders use.
 */
export async function startRuntime(options: {
  /** The parsed environment (default: process.env, parsed here). */
  env?: Env;
  /** The port the HTTP server actually listens on (known once it is bound). */
  port: number;
  /** The app's logger (default: one built from LOG_LEVEL and LOG_FORMAT). */
  log?: Logger;
  /** Run the abandoned-upload sweeper periodically (default true). */
  sweep?: boolean;
}): Promise<Runtime> {
  const env = options.env ?? parseEnv(process.env);
  const log = options.log ?? createLogger(logSettings(env));
  const dataDir = resolve(env.DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  const appUrl = (env.APP_URL ?? `http://localhost:${options.port}`).replace(/\/$/, "");
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of stops.reverse())
      await fn().catch((error: unknown) => log.error({ err: error }, "shutdown step failed"));
  };

  try {
    let embeddedDatabase: EmbeddedDatabase | undefined;
    let databaseUrl = env.DATABASE_URL;
    if (!databaseUrl) {
      embeddedDatabase = await startEmbeddedPostgres({
        clusterDir: join(dataDir, "postgres"),
        database: "feedup",
        onLog: log.isLevelEnabled("debug") ? (line) => log.debug({ component: "postgres" }, line.trimEnd()) : undefined,
      });
      stops.push(() => embeddedDatabase!.stop());
      databaseUrl = embeddedDatabase.url;
    }
    const applied = await migrateWithoutTimeout(databaseUrl);
    const db = createDb(databaseUrl, databaseSettings(env), log);

    let localS3: LocalS3 | undefined;
    let s3Credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
    if (!env.S3_ENDPOINT) {
      s3Credentials = await persistentSecret(join(dataDir, "local-s3-credentials.json"), () => ({
        accessKeyId: `local-${randomBytes(6).toString("hex")}`,
        secretAccessKey: randomBytes(24).toString("base64url"),
      }));
      const appOrigin = new URL(appUrl).origin;
      const origins = [appOrigin, appOrigin.replace("//localhost:", "//127.0.0.1:")];
      localS3 = await startLocalS3OnStickyPort(
        {
          port: env.LOCAL_S3_PORT,
          dataDir: join(dataDir, "s3"),
          credentials: s3Credentials,
          buckets: [env.S3_BUCKET],
          corsOrigins: [...new Set(origins)],
          // Each injected fault: rule, op, part and kind as fields, the one-line description as the message.
          log: (event) =>
            log.info(
              {
                component: "local-s3",
                event: "fault",
                rule: event.rule,
                kind: event.fault,
                op: event.op,
                part: event.partNumber,
              },
              describeEvent(event),
            ),
        },
        (from, to) =>
          log.warn(
            { component: "local-s3", from, to },
            `local S3: port ${from} is taken now, moved to ${to} (uploads in progress re-sign their part URLs)`,
          ),
      );
      stops.push(() => localS3!.stop());
    }

    const sessionSecret =
      env.SESSION_SECRET ??
      (await persistentSecret(join(dataDir, "session-secret.json"), () => randomBytes(32).toString("base64url")));
    const config = buildAppConfig(env, {
      dataDir,
      databaseUrl,
      sessionSecret,
      appUrl,
      s3Endpoint: localS3?.url,
      s3Credentials,
    });
    const services = createServices(config, db, log);
    stops.push(() => closeServices(services));
    const appOrigin = new URL(appUrl).origin;
    const { algorithm } = config.uploads.checksum;
    if (config.prepareBucket) await prepareBucket(services.storage, appOrigin, algorithm);
    else {
      const warning = await requireReadyBucket(services.storage, appOrigin, algorithm);
      if (warning) log.warn({ component: "storage" }, warning);
    }
    if (options.sweep !== false) {
      const stopSweeper = startSweeper(services);
      stops.push(async () => stopSweeper());
    }

    const lines: Array<[string, string]> = [
      [
        "database",
        `${embeddedDatabase ? `embedded PostgreSQL, data in ${join(dataDir, "postgres")}` : redact(databaseUrl)}${applied.length ? ` (applied ${applied.length} migration${applied.length === 1 ? "" : "s"})` : ""}`,
      ],
      [
        "objects",
        `${localS3 ? `local S3 at ${localS3.url}, bucket "${env.S3_BUCKET}", data in ${join(dataDir, "s3")}` : `${config.s3.endpoint}, bucket "${env.S3_BUCKET}"`}`,
      ],
      [
        "sign-in",
        config.github ? `GitHub (${config.github.url})` : "development sign-in (no GitHub OAuth app configured)",
      ],
      ...describeUploadSettings(config.uploads),
      ["metrics", describeMetrics(config)],
      ["logs", `${config.log.level}, ${config.log.format === "json" ? "JSON lines" : "readable lines"}`],
      ["mode", env.NODE_ENV],
    ];
    log.info(
      {
        settings: {
          appUrl,
          uploads: config.uploads,
          metrics: { ...config.metrics, token: Boolean(config.metrics.token) },
        },
      },
      [`feedup is running at ${appUrl}`, ...lines.map(([label, text]) => `  ${`${label}:`.padEnd(10)} ${text}`)].join(
        "\n",
      ),
    );
    return { config, log, services, embeddedDatabase, localS3, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
