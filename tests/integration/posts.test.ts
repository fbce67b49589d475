import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { action as createAction, loader as feedLoader } from "~/routes/api.posts";
import { action as deleteAction } from "~/routes/api.posts.$id";
import type { FeedPage } from "~/shared/posts";
import { call } from "../support/requests.js";
import { startTestApp, type TestApp } from "../support/services.js";
import { complete, createBody, createUpload, mp4Bytes, sendParts, sha256Hex, signInAs } from "../support/uploads.js";

let app: TestApp;
let author: string;
let reader: string;

beforeAll(async () => {
  app = await startTestApp({ UPLOAD_PART_SIZE: "5MiB", FEED_PAGE_SIZE: "10", POST_RATE_LIMIT: "1000/1m" });
  author = await signInAs(app.services, "author");
  reader = await signInAs(app.services, "reader");
});
afterAll(async () => app.close());

async function completedUpload(cookie: string, seed: number): Promise<{ id: string; file: Buffer }> {
  const file = mp4Bytes(200_000, seed);
  const { upload } = await createUpload(app.services, cookie, createBody(file));
  await sendParts(app.services, cookie, upload, file, [1]);
  expect((await complete(app.services, cookie, upload.id)).status).toBe(200);
  return { id: upload.id, file };
}

const post = (cookie: string, body: unknown) => call(createAction, app.services, "/api/posts", { cookie, json: body });
const feed = async (cookie: string, cursor?: string) =>
  (await (
    await call(feedLoader, app.services, `/api/posts${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`, {
      cookie,
    })
  ).json()) as FeedPage;
const remove = (cookie: string, id: string) =>
  call(deleteAction, app.services, `/api/posts/${id}`, { cookie, method: "DELETE", params: { id } });
const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;

describe("posts", () => {
  it("creates a post with a completed upload, served by S3 through a presigned URL", async () => {
    const upload = await completedUpload(author, 1);
    const response = await post(author, {
      text: "  First clip!  ",
      uploadId: upload.id,
      width: 640,
      height: 360,
      durationSeconds: 2.5,
    });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const page = await feed(reader);
    const shown = page.posts.find((p) => p.id === id)!;
    expect(shown).toMatchObject({
      text: "First clip!",
      mine: false,
      author: { login: "author" },
      media: { contentType: "video/mp4", width: 640, height: 360, durationSeconds: 2.5, size: upload.file.length },
    });
    // No GitHub avatar and Gravatar off: the page draws initials, and no URL points at a third party.
    expect(shown.author.avatarUrl).toBeNull();
    const media = await fetch(shown.media!.url);
    expect(media.status).toBe(200);
    // Nothing in the URL or the response names the author.
    const authorId = (
      await app.db.selectFrom("users").select("id").where("login", "=", "author").executeTakeFirstOrThrow()
    ).id;
    expect(shown.media!.url).not.toContain(authorId);
    expect(JSON.stringify([...media.headers])).not.toContain(authorId);
    expect(media.headers.get("content-type")).toBe("video/mp4");
    expect(media.headers.get("content-disposition")).toBe("inline");
    expect(sha256Hex(Buffer.from(await media.arrayBuffer()))).toBe(sha256Hex(upload.file));
    const ranged = await fetch(shown.media!.url, { headers: { Range: "bytes=0-99" } });
    expect(ranged.status).toBe(206);
    expect((await feed(author)).posts.find((p) => p.id === id)!.mine).toBe(true);
  });

  it("creates a text-only post", async () => {
    const response = await post(author, { text: "Just words." });
    expect(response.status).toBe(201);
  });

  it("refuses a post with neither text nor media, and texts over 2,000 characters", async () => {
    const before = await app.db.selectFrom("posts").select("id").execute();
    for (const [body, message] of [
      [{ text: "" }, "Write something or attach a video or photo."],
      [{ text: "   " }, "Write something or attach a video or photo."],
      [{}, "Write something or attach a video or photo."],
      [{ text: "x".repeat(2001) }, "1 character over the limit"],
      [{ text: "🎉".repeat(2003) }, "3 characters over the limit"],
    ] as const) {
      const response = await post(author, body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: { code: "invalid_input", message, fields: { text: [message] } },
      });
    }
    expect(await app.db.selectFrom("posts").select("id").execute()).toEqual(before);
  });

  it("counts characters as code points, like the page and PostgreSQL: 2,000 🎉 fit", async () => {
    const party = "🎉".repeat(2000); // 4,000 UTF-16 units
    const response = await post(author, { text: ` ${party}\n` });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const row = await app.db.selectFrom("posts").select("text").where("id", "=", id).executeTakeFirstOrThrow();
    expect(row.text).toBe(party);
    // Two code points each (a hand and a skin tone): 1,001 of them are over.
    const toned = await post(author, { text: "👍🏽".repeat(1001) });
    expect(await toned.json()).toMatchObject({ error: { message: "2 characters over the limit" } });
  });

  it("takes media without a caption; the feed shows it with empty text", async () => {
    const upload = await completedUpload(author, 6);
    const response = await post(author, { text: "  ", uploadId: upload.id });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const shown = (await feed(reader)).posts.find((p) => p.id === id)!;
    expect(shown).toMatchObject({ text: "", media: { contentType: "video/mp4" } });
  });

  it("shows GitHub's avatar when the author has one, and Gravatar only when the operator turns it on", async () => {
    await app.db
      .updateTable("users")
      .set({ avatar_url: "https://avatars.example/u/1" })
      .where("login", "=", "reader")
      .execute();
    const { id: readersPost } = (await (await post(reader, { text: "with avatar" })).json()) as { id: string };
    const { id: authorsPost } = (await (await post(author, { text: "without" })).json()) as { id: string };
    const avatars = async (services: typeof app.services) => {
      const response = await call(feedLoader, services, "/api/posts", { cookie: reader });
      const page = (await response.json()) as FeedPage;
      return [readersPost, authorsPost].map((id) => page.posts.find((p) => p.id === id)!.author.avatarUrl);
    };
    expect(await avatars(app.services)).toEqual(["https://avatars.example/u/1", null]);
    const [github, gravatar] = await avatars(app.withEnv({ AVATAR_GRAVATAR: "true" }));
    expect(github).toBe("https://avatars.example/u/1");
    expect(gravatar).toMatch(/^https:\/\/www\.gravatar\.com\/avatar\/[0-9a-f]{32}\?d=identicon/);
  });

  it("refuses another user's upload exactly like an unknown one", async () => {
    const theirs = await completedUpload(reader, 2);
    const viaOther = await post(author, { text: "not mine", uploadId: theirs.id });
    const unknown = await post(author, { text: "not mine", uploadId: "0b4b7c4e-8f1e-4b55-9a77-3c1b8f0e2d11" });
    expect(viaOther.status).toBe(400);
    expect(await viaOther.json()).toEqual(await unknown.json());
  });

  it("refuses an unfinished upload, a refused one, and one already posted", async () => {
    const file = mp4Bytes(300_000, 3);
    const unfinished = (await createUpload(app.services, author, createBody(file))).upload;
    const early = await post(author, { text: "too soon", uploadId: unfinished.id });
    expect([early.status, await errorCode(early)]).toEqual([409, "attachment_not_ready"]);

    const html = Buffer.alloc(500, " ");
    Buffer.from("<html>").copy(html);
    const refused = (await createUpload(app.services, author, createBody(html, { fingerprint: "html-post" }))).upload;
    await sendParts(app.services, author, refused, html, [1]);
    expect((await complete(app.services, author, refused.id)).status).toBe(422);
    const bad = await post(author, { text: "refused", uploadId: refused.id });
    expect([bad.status, await errorCode(bad)]).toEqual([409, "attachment_refused"]);

    const used = await completedUpload(author, 4);
    expect((await post(author, { text: "once", uploadId: used.id })).status).toBe(201);
    const twice = await post(author, { text: "twice", uploadId: used.id });
    expect([twice.status, await errorCode(twice)]).toEqual([409, "attachment_in_use"]);
  });

  it("pages the feed newest first with a cursor, each post exactly once", async () => {
    const pager = await signInAs(app.services, "pager");
    const created: string[] = [];
    for (let i = 0; i < 23; i += 1)
      created.push(((await (await post(pager, { text: `post ${i}` })).json()) as { id: string }).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await feed(pager, cursor);
      expect(page.posts.length).toBeLessThanOrEqual(10);
      seen.push(...page.posts.map((p) => p.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const ours = seen.filter((id) => created.includes(id));
    expect(ours).toEqual([...created].reverse());
    expect(pages).toBeGreaterThanOrEqual(3);
    const bad = await call(feedLoader, app.services, "/api/posts?cursor=garbage", { cookie: pager });
    expect(bad.status).toBe(400);
  });

  it("deletes: the author's post, its rows and its S3 object go; anyone else gets 404", async () => {
    const upload = await completedUpload(author, 5);
    const { id } = (await (await post(author, { text: "short-lived", uploadId: upload.id })).json()) as { id: string };
    const key = (await app.db.selectFrom("media").select("s3_key").where("post_id", "=", id).executeTakeFirstOrThrow())
      .s3_key;

    const intruder = await remove(reader, id);
    const unknown = await remove(reader, "0b4b7c4e-8f1e-4b55-9a77-3c1b8f0e2d11");
    expect(intruder.status).toBe(404);
    expect(await intruder.json()).toEqual(await unknown.json());
    expect(await app.db.selectFrom("posts").select("id").where("id", "=", id).execute()).toHaveLength(1);

    expect((await remove(author, id)).status).toBe(200);
    expect(await app.db.selectFrom("posts").select("id").where("id", "=", id).execute()).toEqual([]);
    expect(await app.db.selectFrom("media").select("id").where("post_id", "=", id).execute()).toEqual([]);
    expect(await app.db.selectFrom("uploads").select("id").where("id", "=", upload.id).execute()).toEqual([]);
    const head = await app.s3.client
      .send(new HeadObjectCommand({ Bucket: "feedup-media", Key: key }))
      .catch((e: { $metadata: { httpStatusCode: number } }) => e.$metadata.httpStatusCode);
    expect(head).toBe(404);
    expect((await feed(reader)).posts.map((p) => p.id)).not.toContain(id);
    expect((await remove(author, id)).status).toBe(404);
  });

  it("answers a 36-character post id that is not a uuid like an unknown one", async () => {
    const malformed = await remove(author, "-".repeat(36));
    expect(malformed.status).toBe(404);
    expect(await malformed.json()).toEqual(await (await remove(author, "0b4b7c4e-8f1e-4b55-9a77-3c1b8f0e2d11")).json());
  });

  it("gives one 201 and only 409s when the same upload is posted many times at once", async () => {
    for (let round = 0; round < 6; round += 1) {
      const upload = await completedUpload(author, 100 + round);
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, i) => post(author, { text: `race ${round}.${i}`, uploadId: upload.id })),
      );
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses, `round ${round}`).toEqual([201, ...Array<number>(7).fill(409)]);
      for (const response of responses.filter((r) => r.status === 409)) {
        expect(await response.json()).toEqual({
          error: { code: "attachment_in_use", message: "This attachment is already part of a post." },
        });
      }
      const media = await app.db.selectFrom("media").select("post_id").where("upload_id", "=", upload.id).execute();
      expect(media).toHaveLength(1);
      const posts = await app.db.selectFrom("posts").select("id").where("text", "like", `race ${round}.%`).execute();
      expect(posts.map((p) => p.id)).toEqual(media.map((m) => m.post_id));
    }
  });

  it("refuses forged cursors with 400 before they reach the database", async () => {
    const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const id = "0b4b7c4e-8f1e-4b55-9a77-3c1b8f0e2d11";
    for (const forged of [
      "garbage",
      Buffer.from("not json").toString("base64url"),
      cursor({ createdAt: "2026-01-01T00:00:00.000000Z", id }),
      cursor(["2026-01-01T00:00:00.000000Z", "-".repeat(36)]),
      cursor(["2026-01-01T00:00:00.000000Z", "a".repeat(36)]),
      cursor(["+275760-09-13T00:00:00.000000Z", id]),
      cursor(["2026-02-30T00:00:00.000000Z", id]),
      cursor(["2026-01-01", id]),
      cursor(["2026-01-01T00:00:00.000000Z", id, "extra"]),
      "a".repeat(5000),
    ]) {
      const response = await call(feedLoader, app.services, `/api/posts?cursor=${encodeURIComponent(forged)}`, {
        cookie: reader,
      });
      expect(response.status, forged.slice(0, 40)).toBe(400);
      expect(await errorCode(response)).toBe("invalid_input");
    }
  });

  it("pages without skipping posts created within the same millisecond", async () => {
    const writer = await signInAs(app.services, "same-millisecond");
    const user = await app.db
      .selectFrom("users")
      .select("id")
      .where("login", "=", "same-millisecond")
      .executeTakeFirstOrThrow();
    const at = new Date(Date.now() + 60_000);
    const rows = await app.db
      .insertInto("posts")
      .values(
        Array.from({ length: 15 }, (_, i) => ({
          author_id: user.id,
          text: `tie ${i}`,
          // The same millisecond, different microseconds.
          created_at: sql<Date>`${at.toISOString()}::timestamptz + ${`${i} microseconds`}::interval`,
        })),
      )
      .returning("id")
      .execute();
    const seen: string[] = [];
    let next: string | undefined;
    do {
      const page = await feed(writer, next);
      seen.push(...page.posts.map((p) => p.id));
      next = page.nextCursor ?? undefined;
    } while (next && seen.length < 15);
    expect(seen.slice(0, 15).sort()).toEqual(rows.map((r) => r.id).sort());
  });

  it("needs a session", async () => {
    expect((await call(feedLoader, app.services, "/api/posts")).status).toBe(401);
    expect((await call(createAction, app.services, "/api/posts", { json: { text: "x" } })).status).toBe(401);
  });
});
