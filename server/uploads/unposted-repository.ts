/**
 * Completed uploads that no post uses: the person's list of them, their bytes for the quota, and
 * the sweeper's work list. "Used by a post" is decided here only.
 */
import { sql, type ExpressionBuilder } from "kysely";
import type { Executor } from "../db/connection.js";
import { cursorTimestamp, olderThan, type Position } from "../db/cursor.js";
import type { Database, Upload } from "../db/schema.js";

/** No media row shows this upload, as its media or its poster. */
const inNoPost = (eb: ExpressionBuilder<Database, "uploads">) =>
  eb.not(
    eb.exists(
      eb
        .selectFrom("media")
        .select("media.id")
        // A video's poster frame is posted with it: never swept, listed or counted as unposted.
        .where((m) =>
          m.or([m("media.upload_id", "=", m.ref("uploads.id")), m("media.poster_upload_id", "=", m.ref("uploads.id"))]),
        ),
    ),
  );

const unposted = (db: Executor) => db.selectFrom("uploads").where("uploads.status", "=", "completed").where(inNoPost);

/** Whether a post uses this upload (call it holding the upload's row lock, as posting does). */
export async function isInAPost(db: Executor, uploadId: string): Promise<boolean> {
  const row = await unposted(db).select("uploads.id").where("uploads.id", "=", uploadId).executeTakeFirst();
  return row === undefined;
}

/** A page of the user's completed, unposted uploads after `after`, most recently finished first. */
export async function listUnposted(
  db: Executor,
  userId: string,
  page: { limit: number; after?: Position },
): Promise<Array<Upload & { cursor_at: string }>> {
  let query = unposted(db)
    .where("uploads.user_id", "=", userId)
    .selectAll("uploads")
    .select(cursorTimestamp("uploads.completed_at").as("cursor_at"))
    .orderBy("uploads.completed_at", "desc")
    .orderBy("uploads.id", "desc")
    .limit(page.limit);
  if (page.after) query = query.where(olderThan("uploads.completed_at", "uploads.id", page.after));
  return query.execute();
}

/** How many completed, unposted uploads the user has and their bytes (the quota counts them). */
export async function unpostedTotals(db: Executor, userId: string): Promise<{ count: number; bytes: number }> {
  const row = await unposted(db)
    .where("uploads.user_id", "=", userId)
    .select([sql<string>`count(*)`.as("count"), sql<string>`coalesce(sum(uploads.size), 0)`.as("bytes")])
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), bytes: Number(row.bytes) };
}

/** Completed uploads in no post, finished before `before`, oldest first: the sweeper's work list (any user). */
export async function findOrphans(db: Executor, before: Date, limit: number): Promise<Upload[]> {
  return unposted(db)
    .selectAll("uploads")
    .where("uploads.completed_at", "<", before)
    .orderBy("uploads.completed_at")
    .limit(limit)
    .execute();
}

/** Records that the upload's object was deleted from storage, and why. */
export async function markDeleted(db: Executor, uploadId: string, reason: string, at: Date): Promise<Upload> {
  return db
    .updateTable("uploads")
    .set({ status: "deleted", failure_reason: reason, deleted_at: at, last_activity_at: sql`now()` })
    .where("id", "=", uploadId)
    .returningAll()
    .executeTakeFirstOrThrow();
}
