import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("uploads")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("s3_key", "text", (c) => c.notNull().unique())
    .addColumn("s3_upload_id", "text", (c) => c.notNull())
    .addColumn("file_name", "text", (c) => c.notNull())
    .addColumn("content_type", "text", (c) => c.notNull())
    .addColumn("size", "bigint", (c) => c.notNull().check(sql`size > 0`))
    .addColumn("part_size", "bigint", (c) => c.notNull())
    .addColumn("part_count", "integer", (c) => c.notNull().check(sql`part_count between 1 and 10000`))
    .addColumn("fingerprint", "text", (c) => c.notNull())
    .addColumn("checksum_algorithm", "text", (c) => c.notNull().defaultTo("SHA256"))
    .addColumn("status", "text", (c) =>
      c
        .notNull()
        .defaultTo("uploading")
        .check(sql`status in ('uploading', 'completing', 'completed', 'aborted', 'failed')`),
    )
    .addColumn("etag", "text")
    .addColumn("checksum_sha256", "text")
    .addColumn("failure_reason", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("last_activity_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("completed_at", "timestamptz")
    .execute();
  // A user's unfinished uploads (the resume list, the quota) and one unfinished upload per file fingerprint.
  await db.schema
    .createIndex("uploads_unfinished_by_fingerprint")
    .on("uploads")
    .columns(["user_id", "fingerprint"])
    .unique()
    .where(sql.ref("status"), "in", sql`('uploading', 'completing')`)
    .execute();
  // The sweeper's scan for abandoned uploads.
  await db.schema
    .createIndex("uploads_stale")
    .on("uploads")
    .column("last_activity_at")
    .where(sql.ref("status"), "=", "uploading")
    .execute();

  await db.schema
    .createTable("upload_parts")
    .addColumn("upload_id", "uuid", (c) => c.notNull().references("uploads.id").onDelete("cascade"))
    .addColumn("part_number", "integer", (c) => c.notNull().check(sql`part_number between 1 and 10000`))
    .addColumn("size", "bigint", (c) => c.notNull())
    .addColumn("etag", "text", (c) => c.notNull())
    .addColumn("checksum_sha256", "text")
    .addColumn("uploaded_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("upload_parts_pkey", ["upload_id", "part_number"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("upload_parts").execute();
  await db.schema.dropTable("uploads").execute();
}
