import type { Kysely } from "kysely";

/** Never read: every upload is created with SHA-256 checksums (see createMultipartUpload). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("uploads").dropColumn("checksum_algorithm").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("uploads")
    .addColumn("checksum_algorithm", "text", (c) => c.notNull().defaultTo("SHA256"))
    .execute();
}
