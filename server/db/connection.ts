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

/** DATABASE_POOL_SIZE, DATABASE_STATEMENT_TIMEOUT and DATABASE_CONNECT_TIMEOUT. */
export interface DatabaseSettings {
  poolSize: number;
  /** Unset: queries may run for ever (migrations). */
  statementTimeoutMs?: number;
  /** Unset: wait for a connection for ever. */
  connectTimeoutMs?: number;
}

export function createDb(
  connectionString: string,
  settings: Partial<DatabaseSettings> = {},
  log?: Pick<Logger, "warn">,
): DB {
  const pool = new pg.Pool({
    connectionString,
    max: settings.poolSize ?? 10,
    ...(settings.statementTimeoutMs ? { statement_timeout: settings.statementTimeoutMs } : {}),
    ...(settings.connectTimeoutMs ? { connectionTimeoutMillis: settings.connectTimeoutMs } : {}),
  });
  // A connection the server closes (restart, failover, shutdown) must not crash the app. The pool
  // reports idle ones here and replaces them; one checked out between two queries (a transaction waiting
  // for S3) has no listener of the pool's, so each gets its own: its next query fails (the request answers
  // 503) and the pool drops it when it comes back.
  pool.on("error", (error) => {
    const message = `database: idle connection lost (${error.message})`;
    if (log) log.warn({ component: "database" }, message);
    else console.warn(message);
  });
  pool.on("connect", (client) => client.on("error", () => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
