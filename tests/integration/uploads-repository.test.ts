import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { findOrCreateLocalUser } from "../../server/auth/users.js";
import { createDb, type DB } from "../../server/db/connection.js";
import type { Upload } from "../../server/db/schema.js";
import * as repo from "../../server/uploads/repository.js";
import { createDatabaseFromTemplate } from "../support/postgres.js";

let db: DB;
let drop: () => Promise<void>;
let alice: string;
let bob: string;

beforeAll(async () => {
  const database = await createDatabaseFromTemplate(inject("pgAdminUrl"), `repo_${randomBytes(6).toString("hex")}`);
  db = createDb(database.url, { poolSize: 4 });
  drop = database.drop;
  alice = (await findOrCreateLocalUser(db, "alice")).id;
  bob = (await findOrCreateLocalUser(db, "bob")).id;
});
afterAll(async () => {
  await db.destroy();
  await drop();
});

async function upload(userId: string, size = 3000): Promise<Upload> {
  const id = randomUUID();
  const inserted = await repo.insertUpload(db, {
    id,
    user_id: userId,
    s3_key: `uploads/${userId}/${id}`,
    s3_upload_id: `s3-${id}`,
    file_name: "clip.mp4",
    content_type: "video/mp4",
    size,
    part_size: 1000,
    part_count: Math.ceil(size / 1000),
    fingerprint: `fingerprint-${id}`,
  });
  if (!inserted) throw new Error("insert conflicted");
  return inserted;
}

const part = (partNumber: number, size = 1000) => ({ partNumber, size, etag: `"etag-${partNumber}"` });

/** Tries the user's lock from another connection, giving up at once if someone else holds it. */
const tryLock = (userId: string) =>
  db.transaction().execute(async (trx) => {
    await sql`set local lock_timeout = '50ms'`.execute(trx);
    await repo.lockUserUploads(trx, userId);
  });

describe("lockUserUploads", () => {
  it("holds one user's uploads until the transaction ends, and nobody else's", async () => {
    await db.transaction().execute(async (trx) => {
      await repo.lockUserUploads(trx, alice);
      await expect(tryLock(alice)).rejects.toMatchObject({ code: "55P03" });
      await expect(tryLock(bob)).resolves.toBeUndefined();
    });
    await expect(tryLock(alice)).resolves.toBeUndefined();
  });
});

describe("deleteAllParts", () => {
  it("forgets every part of one upload and none of another's", async () => {
    const [mine, other] = [await upload(alice), await upload(alice)];
    await repo.upsertParts(db, mine.id, [part(1), part(2), part(3)]);
    await repo.upsertParts(db, other.id, [part(1)]);
    await repo.deleteAllParts(db, mine.id);
    expect(await repo.listLedgerParts(db, mine.id)).toEqual([]);
    expect((await repo.listLedgerParts(db, other.id)).map((p) => p.part_number)).toEqual([1]);
  });
});

describe("listUnfinishedWithProgress", () => {
  it("lists the user's unfinished uploads newest first with the parts and bytes the ledger holds", async () => {
    const carol = (await findOrCreateLocalUser(db, "carol")).id;
    const started = await upload(carol, 2500);
    const untouched = await upload(carol);
    const finished = await upload(carol);
    await repo.upsertParts(db, started.id, [part(1), part(3, 500)]);
    await repo.upsertParts(db, finished.id, [part(1)]);
    await repo.updateUpload(db, finished.id, { status: "completed" });
    await repo.upsertParts(db, (await upload(bob)).id, [part(1)]);
    // Creation order decides the listing; make it unambiguous.
    await db
      .updateTable("uploads")
      .set({ created_at: new Date("2026-01-01") })
      .where("id", "=", started.id)
      .execute();

    const listed = await repo.listUnfinishedWithProgress(db, carol, { limit: 10 });
    expect(listed.map((u) => [u.id, u.completed_parts, u.completed_bytes])).toEqual([
      [untouched.id, 0, 0],
      [started.id, 2, 1500],
    ]);
    expect(listed[1]).toMatchObject({ file_name: "clip.mp4", size: 2500, part_count: 3, status: "uploading" });
  });
});
