import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loader as listUploads } from "~/routes/api.uploads";
import { action as createAction, loader as feedLoader } from "~/routes/api.posts";
import { action as deleteAction } from "~/routes/api.posts.$id";
import type { FeedPage } from "~/shared/posts";
import type { UnfinishedUpload } from "~/shared/uploads";
import { imageBytes } from "../support/images.js";
import { call } from "../support/requests.js";
import { startTestApp, type TestApp } from "../support/services.js";
import { complete, createBody, createUpload, mp4Bytes, sendParts, sha256Hex, signInAs } from "../support/uploads.js";

let app: TestApp;
let author: string;
let reader: string;

beforeAll(async () => {
  app = await startTestApp({ UPLOAD_PART_SIZE: "5MiB" });
  author = await signInAs(app.services, "poster-author");
  reader = await signInAs(app.services, "poster-reader");
});
afterAll(async () => app.close());

/** A real WebP still (Chromium-made, as the page's captured frame is); the header check reads it to its size. */
const webpBytes = () => imageBytes("photo-vp8.webp");

async function completed(cookie: string, file: Buffer, body: Record<string, unknown>): Promise<string> {
  const { status, upload } = await createUpload(app.services, cookie, createBody(file, body));
  expect(status).toBe(201);
  await sendParts(app.services, cookie, upload, file, [1]);
  expect((await complete(app.services, cookie, upload.id)).status).toBe(200);
  return upload.id;
}

const video = (cookie: string, seed: number) =>
  completed(cookie, mp4Bytes(100_000, seed), { fingerprint: `clip-${seed}` });
const poster = (cookie: string, seed: number, file = webpBytes()) =>
  completed(cookie, file, {
    fileName: "clip-poster.webp",
    contentType: "image/webp",
    purpose: "poster",
    fingerprint: `poster-${seed}`,
  });

const post = (cookie: string, body: unknown) => call(createAction, app.services, "/api/posts", { cookie, json: body });
const errorOf = async (response: Response) =>
  [response.status, ((await response.json()) as { error: { code: string } }).error.code] as const;
const exists = (key: string) =>
  app.s3.client.send(new HeadObjectCommand({ Bucket: "feedup-media", Key: key })).then(
    () => true,
    () => false,
  );

describe("poster frames", () => {
  it("go with a video post, reach the feed as a presigned image, and are deleted with the post", async () => {
    const frame = webpBytes();
    const [videoId, posterId] = [await video(author, 1), await poster(author, 1, frame)];
    const response = await post(author, {
      text: "with a poster",
      uploadId: videoId,
      posterUploadId: posterId,
      width: 320,
      height: 180,
      durationSeconds: 3,
    });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };

    const page = (await (await call(feedLoader, app.services, "/api/posts", { cookie: reader })).json()) as FeedPage;
    const media = page.posts.find((p) => p.id === id)!.media!;
    expect(media).toMatchObject({ width: 320, height: 180, durationSeconds: 3 });
    const image = await fetch(media.posterUrl!);
    expect([image.status, image.headers.get("content-type")]).toEqual([200, "image/webp"]);
    expect(sha256Hex(Buffer.from(await image.arrayBuffer()))).toBe(sha256Hex(frame));

    const keys = await app.db
      .selectFrom("media")
      .select(["s3_key", "poster_s3_key"])
      .where("post_id", "=", id)
      .executeTakeFirstOrThrow();
    expect([await exists(keys.s3_key), await exists(keys.poster_s3_key!)]).toEqual([true, true]);
    const removed = await call(deleteAction, app.services, `/api/posts/${id}`, {
      cookie: author,
      method: "DELETE",
      params: { id },
    });
    expect(removed.status).toBe(200);
    expect([await exists(keys.s3_key), await exists(keys.poster_s3_key!)]).toEqual([false, false]);
    expect(await app.db.selectFrom("uploads").select("id").where("id", "in", [videoId, posterId]).execute()).toEqual(
      [],
    );
  });

  it("are refused when they are not the caller's, not a poster, already used, or for an image", async () => {
    const videoId = await video(author, 2);
    const theirs = await poster(reader, 2);
    const notPoster = await video(author, 3);
    for (const posterUploadId of [theirs, notPoster]) {
      const response = await post(author, { text: "x", uploadId: videoId, posterUploadId });
      expect(await response.json()).toMatchObject({
        error: { code: "invalid_input", message: "This poster does not exist." },
      });
    }
    // A poster is not an attachment of its own either.
    const mine = await poster(author, 4);
    expect(await errorOf(await post(author, { text: "x", uploadId: mine }))).toEqual([400, "invalid_input"]);
    expect(await errorOf(await post(author, { text: "x", posterUploadId: mine }))).toEqual([400, "invalid_input"]);

    const image = await completed(author, webpBytes(), {
      fileName: "photo.webp",
      contentType: "image/webp",
      fingerprint: "photo-5",
    });
    expect(await errorOf(await post(author, { text: "x", uploadId: image, posterUploadId: mine }))).toEqual([
      400,
      "invalid_input",
    ]);

    expect((await post(author, { text: "first", uploadId: videoId, posterUploadId: mine })).status).toBe(201);
    const again = await post(author, { text: "again", uploadId: await video(author, 6), posterUploadId: mine });
    expect(await errorOf(again)).toEqual([409, "attachment_in_use"]);
    // Nothing half-made: the refused posts left no rows.
    const texts = await app.db.selectFrom("posts").select("text").execute();
    expect(texts.map((t) => t.text).filter((t) => t === "x" || t === "again")).toEqual([]);
  });

  it("must be a small WebP or JPEG, and are never offered for resuming", async () => {
    const tooBig = await createUpload(
      app.services,
      author,
      createBody(webpBytes(), { contentType: "image/webp", purpose: "poster", size: 3 * 1024 * 1024 }),
    );
    expect(tooBig.status).toBe(400);
    const png = await createUpload(
      app.services,
      author,
      createBody(webpBytes(), { contentType: "image/png", purpose: "poster", fingerprint: "png" }),
    );
    expect(png.status).toBe(400);

    const started = await createUpload(
      app.services,
      author,
      createBody(webpBytes(), { contentType: "image/webp", purpose: "poster", fingerprint: "unfinished" }),
    );
    expect(started.status).toBe(201);
    const media = await createUpload(app.services, author, createBody(mp4Bytes(1000, 9), { fingerprint: "chosen" }));
    const listed = (await (await call(listUploads, app.services, "/api/uploads", { cookie: author })).json()) as {
      uploads: UnfinishedUpload[];
    };
    const ids = listed.uploads.map((u) => u.id);
    expect(ids).toContain(media.upload.id);
    expect(ids).not.toContain(started.upload.id);
  });
});
