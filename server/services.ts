import { Authenticator } from "remix-auth";
import { createGitHubStrategy } from "./auth/github.js";
import { createSessionStorage, type AppSessionStorage } from "./auth/session.js";
import type { AppConfig } from "./config/app-config.js";
import { createDb, type DB } from "./db/connection.js";
import type { User } from "./db/schema.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { createMetrics, type Metrics } from "./observability/metrics.js";
import { instrumentS3Client } from "./observability/s3-calls.js";
import { createStorage, type Storage } from "./storage/s3.js";

/** What loaders and actions get through the Remix load context. */
export interface Services {
  config: AppConfig;
  db: DB;
  storage: Storage;
  sessions: AppSessionStorage;
  /** The one logger (inside a request: a child carrying its request id). */
  log: Logger;
  metrics: Metrics;
  /** Present when a GitHub OAuth app is configured. */
  authenticator?: Authenticator<User>;
  /** The time: sessions and rate limits read it here, so tests can move it. */
  now: () => Date;
  /** Inside a request: what its log line needs to know (the signed-in user, once a guard found one). */
  request?: { userId?: string };
}

export function createServices(
  config: AppConfig,
  db: DB = createDb(config.databaseUrl, config.database),
  log: Logger = createLogger(config.log),
  options: { now?: () => Date } = {},
): Services {
  const metrics = createMetrics();
  const storage = createStorage(config.s3);
  instrumentS3Client(storage.client, metrics);
  const sessions = createSessionStorage(config.session);
  let authenticator: Authenticator<User> | undefined;
  if (config.github) {
    authenticator = new Authenticator<User>();
    authenticator.use(
      createGitHubStrategy(
        {
          ...config.github,
          redirectUri: `${config.appUrl}/auth/github/callback`,
          secureCookies: config.session.secure,
        },
        db,
      ),
      "github",
    );
  }
  return { config, db, storage, sessions, log, metrics, authenticator, now: options.now ?? (() => new Date()) };
}

export async function closeServices(services: Services): Promise<void> {
  services.storage.close();
  await services.db.destroy();
}
