import type { ActionFunctionArgs, AppLoadContext } from "@remix-run/node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { action as createPost } from "~/routes/api.posts";
import { action as createUpload } from "~/routes/api.uploads";
import { action as signParts } from "~/routes/api.uploads.$id.parts";
import { action as recordPart } from "~/routes/api.uploads.$id.parts.$partNumber";
import { action as devSignIn } from "~/routes/auth.dev";
import { call } from "../support/requests.js";
import { TEST_APP_URL, startTestApp, type TestApp } from "../support/services.js";
import { stateSnapshot } from "../support/state.js";
import { MiB, createBody, createUpload as startUpload, mp4Bytes, signInAs } from "../support/uploads.js";

let app: TestApp;
let cookie: string;
let uploadId: string;
let file: Buffer;

beforeAll(async () => {
  app = await startTestApp({ UPLOAD_PART_SIZE: "5MiB", API_BODY_LIMIT: "32KiB" });
  cookie = await signInAs(app.services, "body-sender");
  file = mp4Bytes(6 * MiB, 7);
  uploadId = (await startUpload(app.services, cookie, createBody(file))).upload.id;
});
afterAll(async () => app.close());

type Action = (args: ActionFunctionArgs) => Promise<Response>;

/** Every JSON route, with a body it would accept. */
const ROUTES: Array<{
  name: string;
  action: Action;
  path: () => string;
  method: string;
  params: () => Record<string, string>;
  valid: () => Record<string, unknown>;
}> = [
  {
    name: "POST /api/uploads",
    action: createUpload,
    path: () => "/api/uploads",
    method: "POST",
    params: () => ({}),
    valid: () => createBody(mp4Bytes(1000, 8)),
  },
  {
    name: "POST /api/uploads/:id/parts",
    action: signParts,
    path: () => `/api/uploads/${uploadId}/parts`,
    method: "POST",
    params: () => ({ id: uploadId }),
    valid: () => ({ parts: [{ partNumber: 1, checksum: { algorithm: "CRC64NVME", value: "AAAAAAAAAAA=" } }] }),
  },
  {
    name: "PUT /api/uploads/:id/parts/:n",
    action: recordPart,
    path: () => `/api/uploads/${uploadId}/parts/1`,
    method: "PUT",
    params: () => ({ id: uploadId, partNumber: "1" }),
    valid: () => ({ etag: '"0123456789abcdef0123456789abcdef"' }),
  },
  {
    name: "POST /api/posts",
    action: createPost,
    path: () => "/api/posts",
    method: "POST",
    params: () => ({}),
    valid: () => ({ text: "hello" }),
  },
];

async function send(
  route: (typeof ROUTES)[number],
  body: BodyInit,
  headers: Record<string, string>,
): Promise<Response> {
  const request = new Request(`${TEST_APP_URL}${route.path()}`, {
    method: route.method,
    headers: { Cookie: cookie, ...headers },
    body,
    duplex: "half",
  } as RequestInit);
  try {
    return await route.action({
      request,
      context: { services: app.services } as AppLoadContext,
      params: route.params(),
    });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string; message: string; fields?: Record<string, string[]> } }).error;

let before: Awaited<ReturnType<typeof stateSnapshot>>;
beforeEach(async () => {
  before = await stateSnapshot(app);
});

describe.each(ROUTES)("$name", (route) => {
  it("answers 415 for a JSON body sent as another type, and changes nothing", async () => {
    const json = JSON.stringify(route.valid());
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/jsonx",
      undefined,
    ]) {
      const response = await send(route, json, type ? { "Content-Type": type } : {});
      expect(response.status, String(type)).toBe(415);
      expect((await errorOf(response)).code).toBe("unsupported_media_type");
    }
    expect(await stateSnapshot(app)).toEqual(before);
  });

  it("answers 413 for a 10 MB body, declared or streamed, and stops reading at the limit", async () => {
    const big = JSON.stringify({ ...route.valid(), padding: "x".repeat(10 * MiB) });
    const declared = await send(route, big, { "Content-Type": "application/json" });
    expect(declared.status).toBe(413);
    expect((await errorOf(declared)).code).toBe("body_too_large");

    // No Content-Length: the limit must hold while the bytes arrive.
    let pulled = 0;
    const chunk = new TextEncoder().encode(" ".repeat(16 * 1024));
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        if (pulled > 640) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const streamed = await send(route, stream, { "Content-Type": "application/json" });
    expect(streamed.status).toBe(413);
    expect(pulled).toBeLessThan(10);
    expect(await stateSnapshot(app)).toEqual(before);
  });

  it("answers 400 naming each unknown field, and changes nothing", async () => {
    const body = `{${JSON.stringify(route.valid()).slice(1, -1)},"id":"x","userId":"x","status":"completed","s3Key":"uploads/x","__proto__":{"admin":true}}`;
    const response = await send(route, body, { "Content-Type": "application/json" });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe("unknown_fields");
    expect(error.message).toBe("Unknown fields: id, userId, status, s3Key, __proto__.");
    expect(Object.keys(error.fields!)).toEqual(
      expect.arrayContaining(["id", "userId", "status", "s3Key", "__proto__"]),
    );
    expect(await stateSnapshot(app)).toEqual(before);
  });

  it("answers 400 for a body that is not JSON", async () => {
    for (const body of ["{ not json", "", "\xff\xfe"]) {
      const response = await send(route, body, { "Content-Type": "application/json; charset=utf-8" });
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    expect(await stateSnapshot(app)).toEqual(before);
  });
});

it("refuses unknown fields inside nested objects too", async () => {
  const response = await call(signParts as never, app.services, `/api/uploads/${uploadId}/parts`, {
    cookie,
    params: { id: uploadId },
    json: {
      parts: [
        { partNumber: 1, checksum: { algorithm: "CRC64NVME", value: "AAAAAAAAAAA=" }, url: "https://evil.example" },
      ],
    },
  });
  expect(response.status).toBe(400);
  const error = await errorOf(response);
  expect([error.code, error.message]).toEqual(["unknown_fields", "Unknown field: parts.0.url."]);
  expect(await stateSnapshot(app)).toEqual(before);
});

it("limits form posts the same way", async () => {
  const response = await call(devSignIn as never, app.services, "/auth/dev", {
    form: { login: "big", returnTo: `/${"x".repeat(64 * 1024)}` },
  });
  expect(response.status).toBe(413);
  const plain = await call(devSignIn as never, app.services, "/auth/dev", {
    method: "POST",
    body: "login=plain",
    headers: { "Content-Type": "text/plain" },
  });
  expect(plain.status).toBe(415);
  expect(await app.db.selectFrom("users").select("id").where("login", "in", ["big", "plain"]).execute()).toEqual([]);
});
