import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { buildAppConfig, type AppConfig } from "../../server/config/app-config.js";
import { parseEnv } from "../../server/config/env.js";
import { createDb, type DB } from "../../server/db/connection.js";
import { closeServices, createServices, type Services } from "../../server/services.js";
import { prepareBucket } from "../../server/storage/bucket.js";
import { TEST_CREDENTIALS, startTestS3, type TestS3 } from "./local-s3.js";
import { captureLogs, type LogRecord } from "./logs.js";
import { createDatabaseFromTemplate } from "./postgres.js";

export const TEST_APP_URL = "http://app.test";

/** The app's clock in tests: real time, moved forward on demand (sessions, rate limits). */
export interface TestClock {
  now(): Date;
  advance(ms: number): void;
  /** From now on only `advance` moves it: for tests that count to a boundary, on a machine of any speed. */
  stop(): void;
}

export interface TestApp {
  services: Services;
  clock: TestClock;
  db: DB;
  s3: TestS3;
  /** Every line the app logged (debug and up), parsed. */
  logs: LogRecord[];
  /** The same app with other settings (e.g. production), sharing the database and storage. */
  withEnv(env: Record<string, string>): Services;
  close(): Promise<void>;
}

/**
 * Real services for loader and action tests: a fresh PostgreSQL database cloned from the migrated
 * template and a local S3 of its own. Only GitHub is ever faked.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createDatabaseFromTemplate(inject("pgAdminUrl"), `test_${randomBytes(6).toString("hex")}`);
  const s3 = await startTestS3({ buckets: ["feedup-media"] });
  const db = createDb(database.url, { poolSize: 4 });
  const configFor = (extra: Record<string, string>): AppConfig =>
    buildAppConfig(
      parseEnv({
        NODE_ENV: "test",
        S3_ENDPOINT: s3.server.url,
        S3_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
        S3_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
        DATABASE_URL: database.url,
        APP_URL: TEST_APP_URL,
        ...env,
        ...extra,
      }),
      {
        dataDir: "/nonexistent",
        databaseUrl: database.url,
        sessionSecret: "test-session-secret-0123456789abcdef",
        appUrl: TEST_APP_URL,
      },
    );
  const { log, records } = captureLogs();
  let offsetMs = 0;
  let stoppedAt: number | undefined;
  const clock: TestClock = {
    now: () => new Date((stoppedAt ?? Date.now()) + offsetMs),
    advance: (ms) => void (offsetMs += ms),
    stop: () => void (stoppedAt ??= Date.now()),
  };
  const services = createServices(configFor({}), db, log, { now: clock.now });
  await prepareBucket(services.storage, TEST_APP_URL, services.config.uploads.checksum.algorithm);
  const extras: Services[] = [];
  return {
    services,
    clock,
    db,
    s3,
    logs: records,
    withEnv(extra) {
      const other = createServices(configFor(extra), db, log, { now: clock.now });
      extras.push(other);
      return other;
    },
    async close() {
      for (const other of extras) other.storage.close();
      await closeServices(services);
      await s3.close();
      await database.drop();
    },
  };
}
