/**
 * Server-side session records, checked on every request: signing out (here or everywhere) deletes
 * them, so a copied or stolen cookie stops working at once. The table keeps only each token's
 * SHA-256, so reading it signs no one in.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Executor } from "../db/connection.js";
import type { User } from "../db/schema.js";
import type { SessionSettings } from "./session.js";

type Lifetimes = Pick<SessionSettings, "lifetimeMs" | "idleTimeoutMs">;

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** How stale last_seen_at may get before a request refreshes it: one write a minute, not one per request. */
const touchAfterMs = (settings: Lifetimes) => Math.min(60_000, settings.idleTimeoutMs / 10);

/** Starts a session for `userId`; returns the token for the cookie. */
export async function createSessionRecord(
  db: Executor,
  userId: string,
  settings: Lifetimes,
  now: Date,
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await db
    .insertInto("sessions")
    .values({
      token_hash: hashToken(token),
      user_id: userId,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + settings.lifetimeMs),
    })
    .execute();
  return token;
}

/** The user a session token signs in, if the session exists, has not expired and has not idled out. */
export async function findSessionUser(
  db: Executor,
  token: string,
  settings: Lifetimes,
  now: Date,
): Promise<User | undefined> {
  const tokenHash = hashToken(token);
  const row = await db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .selectAll("users")
    .select("sessions.last_seen_at")
    .where("sessions.token_hash", "=", tokenHash)
    .where("sessions.expires_at", ">", now)
    .where("sessions.last_seen_at", ">", new Date(now.getTime() - settings.idleTimeoutMs))
    .executeTakeFirst();
  if (!row) return undefined;
  const { last_seen_at: lastSeen, ...user } = row;
  if (now.getTime() - new Date(lastSeen).getTime() >= touchAfterMs(settings)) {
    await db.updateTable("sessions").set({ last_seen_at: now }).where("token_hash", "=", tokenHash).execute();
  }
  return user;
}

/** Ends one session; returns its user (for "sign out everywhere"), if it existed. */
export async function deleteSessionRecord(db: Executor, token: string): Promise<string | undefined> {
  const row = await db
    .deleteFrom("sessions")
    .where("token_hash", "=", hashToken(token))
    .returning("user_id")
    .executeTakeFirst();
  return row?.user_id;
}

/** Ends every session of the user. */
export async function deleteUserSessions(db: Executor, userId: string): Promise<number> {
  const result = await db.deleteFrom("sessions").where("user_id", "=", userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Forgets sessions that can no longer sign anyone in (expired or idle), for anyone. */
export async function deleteEndedSessions(db: Executor, settings: Lifetimes, now: Date): Promise<void> {
  await db
    .deleteFrom("sessions")
    .where((eb) =>
      eb.or([eb("expires_at", "<=", now), eb("last_seen_at", "<=", new Date(now.getTime() - settings.idleTimeoutMs))]),
    )
    .execute();
}
