import { Kysely, PostgresDialect, type Transaction } from "kysely";
import pg from "pg";
import type { Logger } from "../observability/logger.js";
import type { Database } from "./schema.js";

// bigint (int8) columns come back as text unless told otherwise; keep counts and sizes as numbers
// where they fit, which every byte count in this app does (S3 objects stop at 5 TiB).
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
});

export type DB = Kysely<Database>;
/** What repository functions take: the pool, or a transaction when the caller needs one. */
export type Executor = DB | Transaction<Database>;

export function createDb(connectionString: string, max = 10, log?: Pick<Logger, "warn">): DB {
  const pool = new pg.Pool({ connectionString, max });
  // An idle connection that the server closes (restart, failover, shutdown) must not crash the app;
  // the pool replaces it on the next query.
  pool.on("error", (error) => {
    const message = `database: idle connection lost (${error.message})`;
    if (log) log.warn({ component: "database" }, message);
    else console.warn(message);
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
