import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { createDb, type DB } from "../../server/db/connection.js";
import { migrateDown, migrateToLatest, MigrationError } from "../../server/db/migrate.js";
import { createDatabaseFromTemplate } from "../support/postgres.js";
import { mkdtemp, writeFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

let db: DB;
let drop: () => Promise<void>;

beforeAll(async () => {
  const database = await createDatabaseFromTemplate(inject("pgAdminUrl"), `mig_${randomBytes(6).toString("hex")}`);
  db = createDb(database.url, { poolSize: 2 });
  drop = database.drop;
});
afterAll(async () => {
  await db.destroy();
  await drop();
});

const tables = async () =>
  (
    await sql<{
      tablename: string;
    }>`select tablename from pg_tables where schemaname = 'public' and tablename not like 'kysely_%' order by 1`.execute(
      db,
    )
  ).rows.map((r) => r.tablename);

describe("migrations", () => {
  it("go all the way down and back up again", async () => {
    expect(await tables()).toContain("users");
    for (;;) {
      const undone = await migrateDown(db);
      if (undone.length === 0) break;
    }
    expect(await tables()).toEqual([]);
    const applied = await migrateToLatest(db);
    expect(applied.length).toBeGreaterThan(0);
    expect(await tables()).toContain("users");
    expect(await migrateToLatest(db)).toEqual([]);
  });

  it("leave uploads with a checksum mode (SHA-256 composite for older rows) and refuse the unused status 'completing'", async () => {
    const columns = (
      await sql<{
        column_name: string;
      }>`select column_name from information_schema.columns where table_name = 'uploads'`.execute(db)
    ).rows.map((r) => r.column_name);
    expect(columns).toContain("status");
    expect(columns).toEqual(expect.arrayContaining(["checksum_algorithm", "checksum_type", "checksum"]));
    expect(columns).not.toContain("checksum_sha256");
    const user = await db
      .insertInto("users")
      .values({ login: "statuses", github_id: null, name: null, avatar_url: null })
      .returning("id")
      .executeTakeFirstOrThrow();
    const upload = (status: string) =>
      db
        .insertInto("uploads")
        .values({
          user_id: user.id,
          s3_key: `uploads/${status}`,
          s3_upload_id: status,
          file_name: "clip.mp4",
          content_type: "video/mp4",
          size: 1,
          part_size: 1,
          part_count: 1,
          fingerprint: status,
          status: status as "uploading",
        })
        .execute();
    await expect(upload("completing")).rejects.toMatchObject({ code: "23514" });
    for (const status of ["uploading", "completed", "aborted", "failed"]) await upload(status);
    const modes = await db.selectFrom("uploads").select(["checksum_algorithm", "checksum_type"]).distinct().execute();
    expect(modes).toEqual([{ checksum_algorithm: "SHA256", checksum_type: "COMPOSITE" }]);
    await expect(
      db
        .updateTable("uploads")
        .set({ checksum_algorithm: "MD5" as "SHA256" })
        .where("user_id", "=", user.id)
        .execute(),
    ).rejects.toMatchObject({ code: "23514" });
  });

  it("name the migration that failed", async () => {
    const folder = await mkdtemp(join(tmpdir(), "broken-migrations-"));
    try {
      await writeFile(
        join(folder, "2000-01-01T0000_broken.mts"),
        `export async function up(db) { await db.schema.createTable("not valid").addColumn("x", "no_such_type").execute(); }\nexport async function down() {}\n`,
      );
      const error = await migrateToLatest(db, { folder, tableName: "broken_migrations" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).migrationName).toBe("2000-01-01T0000_broken");
      expect((error as Error).message).toContain("2000-01-01T0000_broken");
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
