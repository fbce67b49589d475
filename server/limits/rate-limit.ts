/**
 * Per-user rate limits as fixed windows counted in PostgreSQL, so every app instance behind the same
 * database shares them. One statement takes a token: it starts a new window, or counts one more in
 * the current window while it is under the limit; when it is not, nothing is written and the caller
 * answers 429 with Retry-After. Inside a transaction, a token taken is given back if it rolls back.
 */
import { sql } from "kysely";
import type { Executor } from "../db/connection.js";
import { fail, ok, type Result } from "../result.js";

export interface Rate {
  limit: number;
  windowMs: number;
}

function describeWindow(ms: number): string {
  if (ms % 3_600_000 === 0) return ms === 3_600_000 ? "an hour" : `${ms / 3_600_000} hours`;
  if (ms % 60_000 === 0) return ms === 60_000 ? "a minute" : `${ms / 60_000} minutes`;
  return `${Math.round(ms / 1000)} seconds`;
}

/**
 * Counts one `action` for `key` (e.g. "uploads:<user id>"), or refuses with 429 when the window's
 * limit is reached. `what` names the action in the message ("new uploads").
 */
export async function takeRateToken(
  db: Executor,
  key: string,
  rate: Rate,
  now: Date,
  what: string,
): Promise<Result<void>> {
  const windowStart = new Date(Math.floor(now.getTime() / rate.windowMs) * rate.windowMs);
  const taken = await db
    .insertInto("rate_limits")
    .values({ key, window_start: windowStart, count: 1 })
    .onConflict((oc) =>
      oc
        .column("key")
        .doUpdateSet({
          window_start: windowStart,
          count: sql<number>`case when rate_limits.window_start = excluded.window_start then rate_limits.count + 1 else 1 end`,
        })
        .where((eb) =>
          eb.or([
            eb("rate_limits.window_start", "<>", eb.ref("excluded.window_start")),
            eb("rate_limits.count", "<", rate.limit),
          ]),
        ),
    )
    .returning("count")
    .executeTakeFirst();
  if (taken) return ok(undefined);
  const retryAfterSeconds = Math.max(1, Math.ceil((windowStart.getTime() + rate.windowMs - now.getTime()) / 1000));
  return fail(
    429,
    "rate_limited",
    `Too many ${what}: at most ${rate.limit} in ${describeWindow(rate.windowMs)}. Try again in ${retryAfterSeconds} s.`,
    { headers: { "Retry-After": String(retryAfterSeconds) }, details: { retryAfterSeconds, limit: rate.limit } },
  );
}
