import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { action as postAction } from "~/routes/api.posts";
import { action as createAction } from "~/routes/api.uploads";
import { action as deleteAction } from "~/routes/api.uploads.$id";
import { loader as unpostedLoader, action as unpostedAction } from "~/routes/api.uploads.unposted";
import type { UnpostedUploadsPage, UploadView } from "~/shared/uploads";
import { lockUpload } from "../../server/uploads/repository.js";
import { sweepOrphanedUploads } from "../../server/uploads/sweep-orphans.js";
import { sweepUploads } from "../../server/uploads/sweeper.js";
import { imageBytes } from "../support/images.js";
import { call } from "../support/requests.js";
import { startTestApp, type TestApp } from "../support/services.js";
import { MiB, complete, createBody, createUpload, mp4Bytes, sendParts, signInAs } from "../support/uploads.js";

const HOUR = 3_600_000;
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({
    UPLOAD_PART_SIZE: "5MiB",
    UPLOAD_ORPHAN_AFTER: "2h",
    UPLOAD_QUOTA: "10MiB",
    UPLOAD_LIST_PAGE_SIZE: "2",
    POST_RATE_LIMIT: "1000/1m",
    UPLOAD_RATE_LIMIT: "1000/1m",
  });
});
afterAll(async () => app.close());

let seed = 100;
/** A completed video of `size` bytes, or of `file` (described by `fields`) when given. */
async function completedUpload(
  cookie: string,
  size = 200_000,
  file = mp4Bytes(size, (seed += 1)),
  fields: Record<string, unknown> = {},
) {
  const { upload } = await createUpload(app.services, cookie, createBody(file, fields));
  const parts = Array.from({ length: upload.partCount }, (_, i) => i + 1);
  await sendParts(app.services, cookie, upload, file, parts);
  expect((await complete(app.services, cookie, upload.id)).status).toBe(200);
  return upload;
}

const row = (id: string) => app.db.selectFrom("uploads").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
/** Whether S3 holds the upload's object. */
async function stored(id: string): Promise<boolean> {
  const { s3_key } = await row(id);
  return app.s3.client.send(new HeadObjectCommand({ Bucket: "feedup-media", Key: s3_key })).then(
    () => true,
    (error: { name?: string }) => {
      if (error.name === "NotFound") return false;
      throw error;
    },
  );
}
const post = (cookie: string, uploadId: string) =>
  call(postAction, app.services, "/api/posts", { cookie, json: { text: "Look", uploadId } });
const remove = (cookie: string, id: string) =>
  call(deleteAction, app.services, `/api/uploads/${id}`, { method: "DELETE", cookie, params: { id } });
const unposted = async (cookie: string, cursor?: string) => {
  const response = await call(
    unpostedLoader,
    app.services,
    `/api/uploads/unposted${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`,
    { cookie },
  );
  return { status: response.status, body: (await response.json()) as UnpostedUploadsPage };
};
/** Sessions of this test's database that wait for a lock (the sweeper, held up by the upload's row lock). */
const sessionsWaitingForALock = async () =>
  (
    await sql<{ waiting: number }>`select count(*)::int as waiting from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`.execute(app.db)
  ).rows[0]!.waiting;
const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string; message: string; details?: object } }).error;

describe("the sweeper and completed uploads no post uses", () => {
  it("deletes one from S3 and marks it in the ledger after UPLOAD_ORPHAN_AFTER, and leaves posted ones", async () => {
    const cookie = await signInAs(app.services, "sweep-owner");
    const orphan = await completedUpload(cookie);
    const posted = await completedUpload(cookie);
    expect((await post(cookie, posted.id)).status).toBe(201);
    const completedAt = new Date((await row(orphan.id)).completed_at!).getTime();
    const postedAt = new Date((await row(posted.id)).completed_at!).getTime();

    // A minute before the configured time: nothing goes.
    expect(await sweepOrphanedUploads(app.services, new Date(completedAt + 2 * HOUR - 60_000))).toBe(0);
    expect(await stored(orphan.id)).toBe(true);
    expect((await row(orphan.id)).status).toBe("completed");

    const sweptAt = new Date(Math.max(completedAt, postedAt) + 2 * HOUR + 60_000);
    expect(await sweepUploads(app.services, sweptAt)).toEqual({ aborted: 0, orphansDeleted: 1 });
    expect(await stored(orphan.id)).toBe(false);
    const marked = await row(orphan.id);
    expect(marked.status).toBe("deleted");
    expect(marked.failure_reason).toMatch(/sweeper.*UPLOAD_ORPHAN_AFTER/);
    expect(marked.deleted_at).not.toBeNull();

    expect(await stored(posted.id)).toBe(true);
    expect((await row(posted.id)).status).toBe("completed");
    // Nothing left to do the next time; a deleted upload cannot be posted.
    expect(await sweepOrphanedUploads(app.services, sweptAt)).toBe(0);
    const late = await post(cookie, orphan.id);
    expect([late.status, (await errorOf(late)).code]).toEqual([409, "attachment_refused"]);
  });
});

describe("the sweeper and poster frames", () => {
  it("leaves a poster frame posted with its video: it is neither swept, listed nor counted as unposted", async () => {
    const cookie = await signInAs(app.services, "poster-owner");
    const video = await completedUpload(cookie);
    const poster = await completedUpload(cookie, undefined, imageBytes("photo-vp8.webp"), {
      fileName: "clip-poster.webp",
      contentType: "image/webp",
      purpose: "poster",
    });
    const response = await call(postAction, app.services, "/api/posts", {
      cookie,
      json: { text: "with a poster", uploadId: video.id, posterUploadId: poster.id },
    });
    expect(response.status).toBe(201);
    const completedAt = new Date((await row(poster.id)).completed_at!).getTime();

    expect(await sweepOrphanedUploads(app.services, new Date(completedAt + 2 * HOUR + 60_000))).toBe(0);
    expect(await stored(poster.id)).toBe(true);
    expect((await row(poster.id)).status).toBe("completed");
    expect((await unposted(cookie)).body.uploads.map((u) => u.id)).not.toContain(poster.id);
  });
});

describe("the sweeper racing a post", () => {
  it("leaves an upload that a post takes while the sweeper waits for it", async () => {
    const cookie = await signInAs(app.services, "racer");
    const upload = await completedUpload(cookie);
    const { user_id: userId, s3_key: key, completed_at } = await row(upload.id);
    const late = new Date(new Date(completed_at!).getTime() + 2 * HOUR + 60_000);
    let sweeping: Promise<number> | undefined;
    await app.db.transaction().execute(async (trx) => {
      // As posting does: the upload's row lock first, then the post and its media row.
      await lockUpload(trx, userId, upload.id);
      sweeping = sweepOrphanedUploads(app.services, late);
      await expect.poll(sessionsWaitingForALock).toBeGreaterThan(0);
      const { rows } = await sql<{
        id: string;
      }>`insert into posts (author_id, text) values (${userId}, 'Just in time') returning id`.execute(trx);
      await sql`insert into media (post_id, upload_id, s3_key, content_type, size) values (${rows[0]!.id}, ${upload.id}, ${key}, 'video/mp4', 200000)`.execute(
        trx,
      );
    });
    expect(await sweeping).toBe(0);
    expect((await row(upload.id)).status).toBe("completed");
    expect(await stored(upload.id)).toBe(true);
  });
});

describe("deleting a finished upload (DELETE /api/uploads/:id)", () => {
  it("deletes its object at once and marks it deleted; repeating it changes nothing", async () => {
    const cookie = await signInAs(app.services, "remover");
    const upload = await completedUpload(cookie);
    expect(await stored(upload.id)).toBe(true);

    const response = await remove(cookie, upload.id);
    expect(response.status).toBe(200);
    expect(((await response.json()) as UploadView).status).toBe("deleted");
    expect(await stored(upload.id)).toBe(false);
    expect(await row(upload.id)).toMatchObject({ status: "deleted", failure_reason: expect.stringMatching(/owner/) });

    const again = await remove(cookie, upload.id);
    expect(again.status).toBe(200);
    expect(((await again.json()) as UploadView).status).toBe("deleted");
  });

  it("answers someone else's upload with 404, like an unknown one, and keeps its object", async () => {
    const owner = await signInAs(app.services, "owner");
    const intruder = await signInAs(app.services, "intruder");
    const upload = await completedUpload(owner);
    const response = await remove(intruder, upload.id);
    expect([response.status, (await errorOf(response)).code]).toEqual([404, "not_found"]);
    expect(await stored(upload.id)).toBe(true);
    expect((await row(upload.id)).status).toBe("completed");
  });

  it("refuses an upload a post uses with 409 and keeps its object", async () => {
    const cookie = await signInAs(app.services, "poster");
    const upload = await completedUpload(cookie);
    expect((await post(cookie, upload.id)).status).toBe(201);
    const response = await remove(cookie, upload.id);
    expect([response.status, (await errorOf(response)).code]).toEqual([409, "attachment_in_use"]);
    expect(await stored(upload.id)).toBe(true);
  });
});

describe("the quota", () => {
  it("counts completed uploads no post uses; posting or deleting one makes room", async () => {
    const cookie = await signInAs(app.services, "quota-holder");
    const first = await completedUpload(cookie, 6 * MiB);
    // 6 MiB finished and unposted, of 10 MiB: 5 MiB more do not fit.
    const big = mp4Bytes(5 * MiB, 7);
    const refused = await call(createAction, app.services, "/api/uploads", { cookie, json: createBody(big) });
    expect(refused.status).toBe(400);
    const error = await errorOf(refused);
    expect(error.code).toBe("quota_exceeded");
    expect(error.message).toContain("6 MiB finished but not posted");
    expect(error.details).toMatchObject({ quotaBytes: 10 * MiB, usedBytes: 6 * MiB, unpostedBytes: 6 * MiB });

    expect((await post(cookie, first.id)).status).toBe(201);
    const second = await completedUpload(cookie, 6 * MiB);
    expect((await createUpload(app.services, cookie, createBody(big))).status).toBe(400);
    expect((await remove(cookie, second.id)).status).toBe(200);
    expect((await createUpload(app.services, cookie, createBody(big))).status).toBe(201);
  });
});

describe("the list of unposted uploads (GET /api/uploads/unposted)", () => {
  it("lists the user's own completed, unposted uploads, newest first, in pages, with a thumbnail URL for images", async () => {
    const cookie = await signInAs(app.services, "lister");
    const other = await signInAs(app.services, "someone-else");
    await completedUpload(other);
    const older = await completedUpload(cookie);
    const video = await completedUpload(cookie);
    const posted = await completedUpload(cookie);
    expect((await post(cookie, posted.id)).status).toBe(201);
    const deleted = await completedUpload(cookie);
    expect((await remove(cookie, deleted.id)).status).toBe(200);
    await createUpload(app.services, cookie, createBody(mp4Bytes(1000, 4242)));
    const image = await completedUpload(cookie, 0, imageBytes("photo.png"), {
      fileName: "photo.png",
      contentType: "image/png",
    });

    const first = await unposted(cookie);
    expect(first.status).toBe(200);
    expect(first.body.uploads.map((u) => u.id)).toEqual([image.id, video.id]);
    expect(first.body.nextCursor).not.toBeNull();
    const [shownImage, shownVideo] = first.body.uploads;
    expect(shownVideo).toMatchObject({
      fileName: "clip.mp4",
      size: 200_000,
      contentType: "video/mp4",
      previewUrl: null,
    });
    const { completed_at } = await row(video.id);
    expect(Date.parse(shownVideo!.deletesAt) - new Date(completed_at!).getTime()).toBe(2 * HOUR);
    const preview = await fetch(shownImage!.previewUrl!);
    expect([preview.status, preview.headers.get("content-type")]).toEqual([200, "image/png"]);
    expect(Buffer.from(await preview.arrayBuffer())).toEqual(imageBytes("photo.png"));

    const rest = await unposted(cookie, first.body.nextCursor!);
    expect(rest.body.uploads.map((u) => u.id)).toEqual([older.id]);
    expect(rest.body.nextCursor).toBeNull();
    expect((await unposted(cookie, "not-a-cursor")).status).toBe(400);
  });

  it("needs a session and takes GET only", async () => {
    expect((await call(unpostedLoader, app.services, "/api/uploads/unposted")).status).toBe(401);
    const cookie = await signInAs(app.services, "poster-of-nothing");
    const response = await call(unpostedAction, app.services, "/api/uploads/unposted", { method: "DELETE", cookie });
    expect(response.status).toBe(405);
  });
});
