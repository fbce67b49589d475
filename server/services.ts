import { Authenticator } from "remix-auth";
import { createGitHubStrategy } from "./auth/github.js";
import { createSessionStorage, type AppSessionStorage } from "./auth/session.js";
import type { AppConfig } from "./config/app-config.js";
import { createDb, type DB } from "./db/connection.js";
import type { User } from "./db/schema.js";
import { createStorage, type Storage } from "./storage/s3.js";

/** What loaders and actions get through the Remix load context. */
export interface Services {
  config: AppConfig;
  db: DB;
  storage: Storage;
  sessions: AppSessionStorage;
  /** Present when a GitHub OAuth app is configured. */
  authenticator?: Authenticator<User>;
  /** The time: sessions and rate limits read it here, so tests can move it. */
  now: () => Date;
}

export function createServices(
  config: AppConfig,
  db: DB = createDb(config.databaseUrl),
  options: { now?: () => Date } = {},
): Services {
  const storage = createStorage(config.s3);
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
  return { config, db, storage, sessions, authenticator, now: options.now ?? (() => new Date()) };
}

export async function closeServices(services: Services): Promise<void> {
  services.storage.close();
  await services.db.destroy();
}
