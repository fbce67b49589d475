import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("users")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("github_id", "bigint", (c) => c.unique())
    .addColumn("login", "text", (c) => c.notNull())
    .addColumn("name", "text")
    .addColumn("avatar_url", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Local development users have no GitHub id; their login is their identity.
  await db.schema
    .createIndex("users_local_login_unique")
    .on("users")
    .column("login")
    .unique()
    .where(sql.ref("github_id"), "is", null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("users").execute();
}
