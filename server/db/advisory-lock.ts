import { sql, type Kysely } from "kysely";
import type { DB } from "./connection.js";
import type { Database } from "./schema.js";

export type Locked<T> = { acquired: true; value: T } | { acquired: false };

/** The lock's 64-bit key: the same name gives the same key in every instance. */
const key = (name: string) => sql`hashtextextended(${name}, 0)`;

/**
 * Runs `task` only if no one else (in any app instance) holds the PostgreSQL advisory lock `name`,
 * holding it until the task ends; otherwise returns `{ acquired: false }` at once. The lock belongs to
 * one connection, which the task gets to run its queries on (so a one-connection pool cannot deadlock);
 * if the process dies, PostgreSQL drops the connection and the lock with it.
 */
export async function withAdvisoryLock<T>(
  db: DB,
  name: string,
  task: (lockedDb: Kysely<Database>) => Promise<T>,
): Promise<Locked<T>> {
  return db.connection().execute(async (connection) => {
    const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${key(name)}) as locked`.execute(
      connection,
    );
    if (!rows[0]?.locked) return { acquired: false };
    try {
      return { acquired: true, value: await task(connection) };
    } finally {
      // A connection lost meanwhile has released the lock already.
      await sql`select pg_advisory_unlock(${key(name)})`.execute(connection).catch(() => undefined);
    }
  });
}
