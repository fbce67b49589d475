import { sql, type Kysely } from "kysely";

/**
 * 'completing' was never written (a completion holds the upload's row lock instead): the status
 * check and the one-unfinished-upload-per-fingerprint index name only the statuses in use.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await replaceStatuses(db, ["uploading", "completed", "aborted", "failed"], ["uploading"]);
}

export async function down(db: Kysely<any>): Promise<void> {
  await replaceStatuses(db, ["uploading", "completing", "completed", "aborted", "failed"], ["uploading", "completing"]);
}

async function replaceStatuses(db: Kysely<any>, allowed: string[], unfinished: string[]): Promise<void> {
  const list = (statuses: string[]) => sql.join(statuses.map((s) => sql.lit(s)));
  await db.schema.alterTable("uploads").dropConstraint("uploads_status_check").execute();
  await db.schema
    .alterTable("uploads")
    .addCheckConstraint("uploads_status_check", sql`status in (${list(allowed)})`)
    .execute();
  await db.schema.dropIndex("uploads_unfinished_by_fingerprint").execute();
  await db.schema
    .createIndex("uploads_unfinished_by_fingerprint")
    .on("uploads")
    .columns(["user_id", "fingerprint"])
    .unique()
    .where(sql<boolean>`status in (${list(unfinished)})`)
    .execute();
}
