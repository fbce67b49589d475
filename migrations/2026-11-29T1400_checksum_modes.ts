import { sql, type Kysely } from "kysely";

/**
 * Uploads are checked with the operator's checksum mode (UPLOAD_CHECKSUM), not always SHA-256: each
 * upload keeps the algorithm and type it was created with, and the checksum columns hold that
 * algorithm's values. Every upload before this one was SHA-256 composite.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("uploads")
    .addColumn("checksum_algorithm", "text", (c) =>
      c
        .notNull()
        .defaultTo("SHA256")
        .check(sql`checksum_algorithm in ('CRC64NVME', 'CRC32C', 'SHA256')`),
    )
    .addColumn("checksum_type", "text", (c) =>
      c
        .notNull()
        .defaultTo("COMPOSITE")
        .check(sql`checksum_type in ('FULL_OBJECT', 'COMPOSITE')`),
    )
    .execute();
  await db.schema.alterTable("uploads").renameColumn("checksum_sha256", "checksum").execute();
  await db.schema.alterTable("upload_parts").renameColumn("checksum_sha256", "checksum").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("upload_parts").renameColumn("checksum", "checksum_sha256").execute();
  await db.schema.alterTable("uploads").renameColumn("checksum", "checksum_sha256").execute();
  await db.schema.alterTable("uploads").dropColumn("checksum_type").dropColumn("checksum_algorithm").execute();
}
