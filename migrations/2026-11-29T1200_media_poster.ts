import { sql, type Kysely } from "kysely";

/**
 * Poster frames. A poster is an upload of its own (purpose 'poster': a small still the browser took
 * from the video), tied to the video's media row; it goes when the post goes. Unfinished posters are
 * not offered for resuming like files people chose.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("uploads")
    .addColumn("purpose", "text", (c) =>
      c
        .notNull()
        .defaultTo("media")
        .check(sql`purpose in ('media', 'poster')`),
    )
    .execute();
  await db.schema
    .alterTable("media")
    // One post per poster, as for the media itself.
    .addColumn("poster_upload_id", "uuid", (c) => c.unique().references("uploads.id"))
    .addColumn("poster_s3_key", "text")
    .execute();
  await db.schema
    .alterTable("media")
    .addCheckConstraint("media_poster_whole", sql`(poster_upload_id is null) = (poster_s3_key is null)`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("media").dropConstraint("media_poster_whole").execute();
  await db.schema.alterTable("media").dropColumn("poster_s3_key").dropColumn("poster_upload_id").execute();
  await db.schema.alterTable("uploads").dropColumn("purpose").execute();
}
