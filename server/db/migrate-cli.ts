/** npm run db:migrate: applies pending migrations to DATABASE_URL, or to the embedded PostgreSQL under DATA_DIR. */
import { join, resolve } from "node:path";
import { ConfigError, parseEnv } from "../config/env.js";
import { createDb } from "./connection.js";
import { EmbeddedPostgresError, startEmbeddedPostgres } from "./embedded.js";
import { MigrationError, migrateToLatest } from "./migrate.js";

async function main(): Promise<number> {
  const env = parseEnv(process.env);
  const embedded = env.DATABASE_URL
    ? undefined
    : await startEmbeddedPostgres({ clusterDir: join(resolve(env.DATA_DIR), "postgres"), database: "feedup" });
  const db = createDb(env.DATABASE_URL ?? embedded!.url, { poolSize: 1 });
  try {
    const applied = await migrateToLatest(db);
    console.log(applied.length ? `Applied: ${applied.join(", ")}` : "The database is up to date.");
    return 0;
  } finally {
    await db.destroy();
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(error.message);
    else if (error instanceof MigrationError || error instanceof EmbeddedPostgresError) console.error(error.message);
    else console.error(error);
    process.exit(1);
  },
);
