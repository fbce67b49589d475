import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { action as createPostAction } from "~/routes/api.posts";
import { action as createUploadAction, loader as listLoader } from "~/routes/api.uploads";
import { action as abortAction } from "~/routes/api.uploads.$id";
import type { UnfinishedUploadsPage } from "~/shared/uploads";
import type { Services } from "../../server/services.js";
import { call } from "../support/requests.js";
import { startTestApp, type TestApp } from "../support/services.js";
import { stateSnapshot } from "../support/state.js";
import { createBody, createUpload, mp4Bytes, signInAs } from "../support/uploads.js";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({
    UPLOAD_PART_SIZE: "5MiB",
    UPLOAD_MAX_UNFINISHED: "5",
    UPLOAD_QUOTA: "1MiB",
    UPLOAD_RATE_LIMIT: "4/1m",
    UPLOAD_LIST_PAGE_SIZE: "2",
    POST_RATE_LIMIT: "3/1m",
  });
  // The windows are counted to the second: real time passing between two steps must not move them.
  app.clock.stop();
});
afterAll(async () => app.close());

let seed = 0;
const start = (cookie: string, services: Services = app.services, size = 1000) => {
  seed += 1;
  return createUpload(services, cookie, createBody(mp4Bytes(size, seed), { fingerprint: `limits-${seed}` }));
};
const abort = (cookie: string, id: string) =>
  call(abortAction, app.services, `/api/uploads/${id}`, { method: "DELETE", cookie, params: { id } });
const post = (cookie: string, text: string, services: Services = app.services) =>
  call(createPostAction, services, "/api/posts", { cookie, json: { text } });
const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string; message: string; details: Record<string, number> } }).error;

/** Moves the app's clock to the start of the next window, so a test's requests share one window. */
function startOfWindow(windowMs = 60_000) {
  const now = app.clock.now().getTime();
  app.clock.advance(windowMs - (now % windowMs));
}

describe("unfinished uploads per user", () => {
  it("refuses the upload past UPLOAD_MAX_UNFINISHED with 400 and a message, changing nothing; one finished makes room", async () => {
    startOfWindow();
    const cookie = await signInAs(app.services, "hoarder");
    const started = [];
    for (let i = 0; i < 4; i += 1) started.push((await start(cookie)).upload);
    app.clock.advance(60_000);
    started.push((await start(cookie)).upload);
    const before = await stateSnapshot(app);
    const refused = await call(createUploadAction, app.services, "/api/uploads", {
      cookie,
      json: createBody(mp4Bytes(1000, 999), { fingerprint: "one-too-many" }),
    });
    expect(refused.status).toBe(400);
    const error = await errorOf(refused);
    expect(error.code).toBe("quota_exceeded");
    expect(error.message).toBe("You can have up to 5 unfinished uploads at once. Finish or cancel some first.");
    expect(error.details).toMatchObject({ maxUnfinished: 5, unfinished: 5 });
    expect(await stateSnapshot(app)).toEqual(before);

    expect((await abort(cookie, started[0]!.id)).status).toBe(200);
    expect((await start(cookie)).status).toBe(201);
  });

  it("refuses the upload past UPLOAD_QUOTA declared bytes", async () => {
    startOfWindow();
    const cookie = await signInAs(app.services, "big-spender");
    expect((await start(cookie, app.services, 700 * 1024)).status).toBe(201);
    const before = await stateSnapshot(app);
    const { status, upload } = await start(cookie, app.services, 400 * 1024);
    expect(status).toBe(400);
    expect((upload as unknown as { error: { code: string; details: object } }).error).toMatchObject({
      code: "quota_exceeded",
      details: { quotaBytes: 1024 * 1024, usedBytes: 700 * 1024 },
    });
    expect(await stateSnapshot(app)).toEqual(before);
  });
});

describe("uploads started per minute", () => {
  it("answers 429 with Retry-After past UPLOAD_RATE_LIMIT, changes nothing, and recovers when the window ends", async () => {
    startOfWindow();
    app.clock.advance(15_000);
    const cookie = await signInAs(app.services, "rapid");
    const first = [];
    for (let i = 0; i < 4; i += 1) {
      const created = await start(cookie);
      expect(created.status).toBe(201);
      first.push(created.upload);
    }
    const before = await stateSnapshot(app);
    const response = await call(createUploadAction, app.services, "/api/uploads", {
      cookie,
      json: createBody(mp4Bytes(1000, 5000), { fingerprint: "too-soon" }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("45");
    const error = await errorOf(response);
    expect(error.code).toBe("rate_limited");
    expect(error.message).toBe("Too many new uploads: at most 4 in a minute. Try again in 45 s.");
    expect(await stateSnapshot(app)).toEqual(before);

    // Resuming an upload already started is not a new upload.
    const resumed = await createUpload(
      app.services,
      cookie,
      createBody(mp4Bytes(1000, seed), { fingerprint: `limits-${seed}` }),
    );
    expect(resumed.status).toBe(200);
    // Someone else is not held back.
    expect((await start(await signInAs(app.services, "patient"))).status).toBe(201);

    for (const upload of first) await abort(cookie, upload.id);
    // Shortly before the window ends (measured, not assumed: the clock runs on while a busy machine
    // works through the calls above), then just after it.
    const windowLeft = () => 60_000 - (app.clock.now().getTime() % 60_000);
    app.clock.advance(windowLeft() - 5_000);
    expect((await start(cookie)).status).toBe(429);
    app.clock.advance(windowLeft());
    expect((await start(cookie)).status).toBe(201);
  });

  it("holds when requests race, and across app instances sharing the database", async () => {
    startOfWindow();
    const cookie = await signInAs(app.services, "racer");
    const otherInstance = app.withEnv({ UPLOAD_RATE_LIMIT: "4/1m", UPLOAD_MAX_UNFINISHED: "50", UPLOAD_QUOTA: "1GiB" });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => start(cookie, i % 2 === 0 ? app.services : otherInstance)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 201, 429, 429, 429, 429, 429, 429]);
  });
});

describe("posts per minute", () => {
  it("answers 429 with Retry-After past POST_RATE_LIMIT, changes nothing, and recovers", async () => {
    startOfWindow();
    const cookie = await signInAs(app.services, "chatty");
    const otherInstance = app.withEnv({ POST_RATE_LIMIT: "3/1m" });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => post(cookie, `chatty ${i}`, i % 2 === 0 ? app.services : otherInstance)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 429, 429, 429, 429, 429]);
    const refused = results.find((r) => r.status === 429)!;
    expect(refused.headers.get("retry-after")).toBe("60");
    expect((await errorOf(refused)).message).toBe("Too many posts: at most 3 in a minute. Try again in 60 s.");
    const before = await stateSnapshot(app);
    expect((await post(cookie, "still too soon")).status).toBe(429);
    expect(await stateSnapshot(app)).toEqual(before);
    expect((await post(await signInAs(app.services, "quiet"), "my first")).status).toBe(201);

    app.clock.advance(60_000);
    expect((await post(cookie, "a minute later")).status).toBe(201);
  });
});

describe("GET /api/uploads", () => {
  it("pages the unfinished uploads with a cursor, each exactly once, newest first", async () => {
    startOfWindow();
    const cookie = await signInAs(app.services, "pager");
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) ids.push((await start(cookie)).upload.id);
    app.clock.advance(60_000);
    ids.push((await start(cookie)).upload.id);
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/api/uploads${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`;
      const response = await call(listLoader, app.services, path, { cookie });
      expect(response.status).toBe(200);
      const page = (await response.json()) as UnfinishedUploadsPage;
      sizes.push(page.uploads.length);
      seen.push(...page.uploads.map((u) => u.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual([...ids].reverse());
  });

  it("refuses a forged cursor with 400", async () => {
    const cookie = await signInAs(app.services, "pager");
    for (const cursor of [
      "garbage",
      Buffer.from(JSON.stringify(["2026-01-01T00:00:00.000000Z", "-".repeat(36)])).toString("base64url"),
    ]) {
      const response = await call(listLoader, app.services, `/api/uploads?cursor=${cursor}`, { cookie });
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe("invalid_input");
    }
  });
});
