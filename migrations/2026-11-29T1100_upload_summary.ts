import type { Kysely } from "kysely";

/** The uploader's own report of its latest run (POST /api/uploads/:id/summary), as sent, and when it came. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("uploads")
    .addColumn("client_summary", "jsonb")
    .addColumn("client_summary_at", "timestamptz")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("uploads").dropColumn("client_summary").dropColumn("client_summary_at").execute();
}
