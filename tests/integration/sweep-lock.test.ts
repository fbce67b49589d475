import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withAdvisoryLock } from "../../server/db/advisory-lock.js";
import { createDb, type DB } from "../../server/db/connection.js";
import { createServices, type Services } from "../../server/services.js";
import { sweepExclusively } from "../../server/uploads/sweeper.js";
import { poll } from "../support/wait.js";
import { startTestApp, type TestApp } from "../support/services.js";
import { MiB, createBody, createUpload, mp4Bytes, signInAs } from "../support/uploads.js";

let app: TestApp;
/** A second app instance: its own pool and S3 client on the same database and S3. */
let other: Services;
let otherDb: DB;

beforeAll(async () => {
  app = await startTestApp({ UPLOAD_PART_SIZE: "5MiB" });
  otherDb = createDb(app.services.config.databaseUrl, { poolSize: 1 });
  other = createServices(app.services.config, otherDb);
});
afterAll(async () => {
  other.storage.close();
  await otherDb.destroy();
  await app.close();
});

const advisoryLocksHeld = async () =>
  Number(
    (
      await sql<{ n: string }>`select count(*) as n from pg_locks where locktype = 'advisory' and granted`.execute(
        app.db,
      )
    ).rows[0]!.n,
  );

describe("withAdvisoryLock", () => {
  it("lets one holder in at a time, across pools, and frees the lock when the task ends or fails", async () => {
    let release!: () => void;
    const holding = withAdvisoryLock(
      app.db,
      "test:lock",
      () => new Promise<string>((r) => (release = () => r("done"))),
    );
    await poll(async () => (await advisoryLocksHeld()) === 1, "the first holder's lock");
    expect(await withAdvisoryLock(otherDb, "test:lock", async () => "second")).toEqual({ acquired: false });
    expect(await withAdvisoryLock(otherDb, "test:other-name", async () => "other")).toEqual({
      acquired: true,
      value: "other",
    });
    release();
    expect(await holding).toEqual({ acquired: true, value: "done" });
    await expect(
      withAdvisoryLock(otherDb, "test:lock", async () => {
        throw new Error("task failed");
      }),
    ).rejects.toThrow("task failed");
    expect(await withAdvisoryLock(app.db, "test:lock", async () => "again")).toEqual({
      acquired: true,
      value: "again",
    });
    expect(await advisoryLocksHeld()).toBe(0);
  });

  it("is released when the connection holding it dies (a crashed instance does not block the others)", async () => {
    const held = withAdvisoryLock(otherDb, "test:crash", async (lockedDb) => {
      const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(lockedDb)).rows[0]!.pid;
      await sql`select pg_terminate_backend(${pid})`.execute(app.db);
      await sql`select 1`.execute(lockedDb); // the connection is gone
    });
    await expect(held).rejects.toThrow();
    expect(await withAdvisoryLock(app.db, "test:crash", async () => "free")).toEqual({
      acquired: true,
      value: "free",
    });
  });
});

describe("sweepExclusively", () => {
  it("sweeps in one instance while the other skips, aborting each abandoned upload once", async () => {
    const carol = await signInAs(app.services, "carol");
    const ids: string[] = [];
    for (let seed = 1; seed <= 3; seed += 1)
      ids.push((await createUpload(app.services, carol, createBody(mp4Bytes(6 * MiB, 100 + seed)))).upload.id);
    await app.db
      .updateTable("uploads")
      .set({ last_activity_at: new Date(Date.now() - 25 * 3_600_000) })
      .where("id", "in", ids)
      .execute();
    // Each abort takes a while, so the first sweep is surely still running when the second starts.
    app.s3.server.setFaults([{ op: "AbortMultipartUpload", fault: "delay", ms: 700 }]);
    app.s3.server.resetStats();
    try {
      const first = sweepExclusively(other);
      await poll(async () => (await advisoryLocksHeld()) === 1, "the first sweep's lock");
      const second = await sweepExclusively(app.services);
      expect(second).toEqual({ swept: false });
      expect(await first).toEqual({ swept: true, aborted: 3, orphansDeleted: 0 });
    } finally {
      app.s3.server.setFaults([]);
    }
    expect(app.s3.server.stats().AbortMultipartUpload?.requests).toBe(3);
    const statuses = await app.db.selectFrom("uploads").select("status").where("id", "in", ids).execute();
    expect(statuses.map((r) => r.status)).toEqual(["aborted", "aborted", "aborted"]);
    expect(await sweepExclusively(app.services)).toEqual({ swept: true, aborted: 0, orphansDeleted: 0 });
  });
});
