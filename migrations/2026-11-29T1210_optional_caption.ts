import { sql, type Kysely } from "kysely";

/**
 * A post with media may have no text (the feed shows the media alone); the service requires text
 * or media, which a row check on posts cannot see. The limit stays 2,000 characters (code points).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("posts").dropConstraint("posts_text_check").execute();
  await db.schema
    .alterTable("posts")
    .addCheckConstraint("posts_text_check", sql`char_length(text) <= 2000`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("posts").dropConstraint("posts_text_check").execute();
  // Posts made without text since stay; the old rule holds for new rows only.
  await sql`alter table posts add constraint posts_text_check check (char_length(text) between 1 and 2000) not valid`.execute(
    db,
  );
}
