import { sql, type Transaction } from "kysely";
import type { Executor } from "../db/connection.js";
import { cursorTimestamp, olderThan, type Position } from "../db/cursor.js";
import { isUuid } from "../db/ids.js";
import type { UploadSummary } from "../../app/shared/upload-summary.js";
import type { Database, NewUpload, Upload, UploadPart } from "../db/schema.js";

/** The user's unfinished uploads: the resume list, the quota, one per file fingerprint. */
const unfinishedOf = (db: Executor, userId: string) =>
  db.selectFrom("uploads").where("uploads.user_id", "=", userId).where("uploads.status", "=", "uploading");

/**
 * Serialises the user's upload starts until the transaction ends: the quota check, the fingerprint
 * check and the insert of one request must not interleave with another's.
 */
export async function lockUserUploads(trx: Transaction<Database>, userId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`uploads:${userId}`}, 0))`.execute(trx);
}

export async function insertUpload(db: Executor, upload: NewUpload): Promise<Upload | undefined> {
  // The partial unique index on (user_id, fingerprint) makes a racing duplicate a no-op.
  return db
    .insertInto("uploads")
    .values(upload)
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** An upload of this user's, or undefined: another user's id looks exactly like an unknown one. */
export async function findUpload(db: Executor, userId: string, id: string): Promise<Upload | undefined> {
  if (!isUuid(id)) return undefined;
  return db.selectFrom("uploads").selectAll().where("id", "=", id).where("user_id", "=", userId).executeTakeFirst();
}

/** The same, holding the row lock until the transaction ends: completion and abort take turns. */
export async function lockUpload(trx: Transaction<Database>, userId: string, id: string): Promise<Upload | undefined> {
  if (!isUuid(id)) return undefined;
  return trx
    .selectFrom("uploads")
    .selectAll()
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .forUpdate()
    .executeTakeFirst();
}

export async function findUnfinishedByFingerprint(
  db: Executor,
  userId: string,
  fingerprint: string,
): Promise<Upload | undefined> {
  return unfinishedOf(db, userId).selectAll().where("fingerprint", "=", fingerprint).executeTakeFirst();
}

/**
 * A page of the user's unfinished uploads of files they chose after `after`, newest first, with the
 * parts and bytes done. Posters are left out: the page made them, so no one can choose them again.
 */
export async function listUnfinishedWithProgress(
  db: Executor,
  userId: string,
  page: { limit: number; after?: Position },
): Promise<Array<Upload & { completed_parts: number; completed_bytes: number; cursor_at: string }>> {
  let query = unfinishedOf(db, userId)
    .where("uploads.purpose", "=", "media")
    .leftJoin("upload_parts", "upload_parts.upload_id", "uploads.id")
    .selectAll("uploads")
    .select([
      sql<string>`count(upload_parts.part_number)`.as("completed_parts"),
      sql<string>`coalesce(sum(upload_parts.size), 0)`.as("completed_bytes"),
      cursorTimestamp("uploads.created_at").as("cursor_at"),
    ])
    .groupBy("uploads.id")
    .orderBy("uploads.created_at", "desc")
    .orderBy("uploads.id", "desc")
    .limit(page.limit);
  if (page.after) query = query.where(olderThan("uploads.created_at", "uploads.id", page.after));
  const rows = await query.execute();
  return rows.map((row) => ({
    ...row,
    completed_parts: Number(row.completed_parts),
    completed_bytes: Number(row.completed_bytes),
  }));
}

/** How many unfinished uploads the user has and their declared bytes, for the quota. */
export async function unfinishedTotals(db: Executor, userId: string): Promise<{ count: number; bytes: number }> {
  const row = await unfinishedOf(db, userId)
    .select([sql<string>`count(*)`.as("count"), sql<string>`coalesce(sum(size), 0)`.as("bytes")])
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), bytes: Number(row.bytes) };
}

export async function listLedgerParts(db: Executor, uploadId: string): Promise<UploadPart[]> {
  return db.selectFrom("upload_parts").selectAll().where("upload_id", "=", uploadId).orderBy("part_number").execute();
}

export async function upsertParts(
  db: Executor,
  uploadId: string,
  parts: Array<{ partNumber: number; size: number; etag: string; checksum?: string | null }>,
): Promise<void> {
  if (parts.length === 0) return;
  await db
    .insertInto("upload_parts")
    .values(
      parts.map((p) => ({
        upload_id: uploadId,
        part_number: p.partNumber,
        size: p.size,
        etag: p.etag,
        checksum: p.checksum ?? null,
      })),
    )
    .onConflict((oc) =>
      oc.columns(["upload_id", "part_number"]).doUpdateSet((eb) => ({
        size: eb.ref("excluded.size"),
        etag: eb.ref("excluded.etag"),
        checksum: eb.ref("excluded.checksum"),
        uploaded_at: sql`now()`,
      })),
    )
    .execute();
}

export async function deleteLedgerParts(db: Executor, uploadId: string, partNumbers: number[]): Promise<void> {
  if (partNumbers.length === 0) return;
  await db
    .deleteFrom("upload_parts")
    .where("upload_id", "=", uploadId)
    .where("part_number", "in", partNumbers)
    .execute();
}

/** Forgets every part of the upload (it was aborted: S3 holds none of them any more). */
export async function deleteAllParts(db: Executor, uploadId: string): Promise<void> {
  await db.deleteFrom("upload_parts").where("upload_id", "=", uploadId).execute();
}

export async function touchUpload(db: Executor, uploadId: string): Promise<void> {
  await db
    .updateTable("uploads")
    .set({ last_activity_at: sql`now()` })
    .where("id", "=", uploadId)
    .execute();
}

export async function updateUpload(
  db: Executor,
  uploadId: string,
  changes: Partial<Pick<Upload, "status" | "etag" | "checksum" | "failure_reason">> & { completed_at?: Date },
): Promise<Upload> {
  return db
    .updateTable("uploads")
    .set({ ...changes, last_activity_at: sql`now()` })
    .where("id", "=", uploadId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Keeps the browser's report of its latest run on the upload's row. */
export async function saveClientSummary(db: Executor, uploadId: string, summary: UploadSummary): Promise<void> {
  await db
    .updateTable("uploads")
    .set({ client_summary: JSON.stringify(summary), client_summary_at: sql`now()` })
    .where("id", "=", uploadId)
    .execute();
}

/** Uploads with no activity since `before`, oldest first: the sweeper's work list (any user). */
export async function findAbandoned(db: Executor, before: Date, limit: number): Promise<Upload[]> {
  return db
    .selectFrom("uploads")
    .selectAll()
    .where("status", "=", "uploading")
    .where("last_activity_at", "<", before)
    .orderBy("last_activity_at")
    .limit(limit)
    .execute();
}
