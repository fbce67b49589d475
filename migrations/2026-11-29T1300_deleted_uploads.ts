import { sql, type Kysely } from "kysely";

/**
 * Completed uploads that never made it into a post: the owner removes them, or the sweeper deletes
 * them after UPLOAD_ORPHAN_AFTER. Their object leaves S3 and the row stays as a record: status
 * 'deleted', when (deleted_at) and why (failure_reason). Two partial indexes serve the work on
 * completed uploads: one person's (their list of unposted uploads, the quota) and everyone's by age
 * (the sweeper).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await replaceStatusCheck(db, ["uploading", "completed", "aborted", "failed", "deleted"]);
  await db.schema.alterTable("uploads").addColumn("deleted_at", "timestamptz").execute();
  await db.schema
    .createIndex("uploads_completed_by_user")
    .on("uploads")
    .columns(["user_id", "completed_at"])
    .where(sql.ref("status"), "=", "completed")
    .execute();
  await db.schema
    .createIndex("uploads_completed_by_age")
    .on("uploads")
    .column("completed_at")
    .where(sql.ref("status"), "=", "completed")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("uploads_completed_by_age").execute();
  await db.schema.dropIndex("uploads_completed_by_user").execute();
  // Their objects are gone: 'failed' (with the reason kept) is the nearest status the old check allows.
  await db.updateTable("uploads").set({ status: "failed" }).where("status", "=", "deleted").execute();
  await db.schema.alterTable("uploads").dropColumn("deleted_at").execute();
  await replaceStatusCheck(db, ["uploading", "completed", "aborted", "failed"]);
}

async function replaceStatusCheck(db: Kysely<any>, allowed: string[]): Promise<void> {
  await db.schema.alterTable("uploads").dropConstraint("uploads_status_check").execute();
  await db.schema
    .alterTable("uploads")
    .addCheckConstraint("uploads_status_check", sql`status in (${sql.join(allowed.map((s) => sql.lit(s)))})`)
    .execute();
}
