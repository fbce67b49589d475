import { sql, type Kysely } from "kysely";

/**
 * Server-side session records: the cookie carries a random token, the row (keyed by the token's
 * SHA-256, so the table alone signs no one in) says whether it still works. Signing out deletes it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("sessions")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("last_seen_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .execute();
  // "Sign out everywhere", and the purge of ended sessions.
  await db.schema.createIndex("sessions_by_user").on("sessions").column("user_id").execute();
  await db.schema.createIndex("sessions_by_expiry").on("sessions").column("expires_at").execute();
  await db.schema.createIndex("sessions_by_last_seen").on("sessions").column("last_seen_at").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("sessions").execute();
}
