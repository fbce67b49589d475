import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { action as createAction, loader as listLoader } from "~/routes/api.uploads";
import { action as deleteAction, loader as getLoader } from "~/routes/api.uploads.$id";
import { action as completeAction } from "~/routes/api.uploads.$id.complete";
import { action as signAction } from "~/routes/api.uploads.$id.parts";
import { action as recordAction } from "~/routes/api.uploads.$id.parts.$partNumber";
import type { UploadView } from "../../server/uploads/views.js";
import { call } from "../support/requests.js";
import { startTestApp, type TestApp } from "../support/services.js";
import { MiB, createBody, createUpload, mp4Bytes, sendParts, sign, signInAs } from "../support/uploads.js";

let app: TestApp;
let owner: string;
let other: string;
let upload: UploadView;
const UNKNOWN = "0b4b7c4e-8f1e-4b55-9a77-3c1b8f0e2d11";

beforeAll(async () => {
  app = await startTestApp({ UPLOAD_PART_SIZE: "5MiB", UPLOAD_QUOTA: "30MiB" });
  owner = await signInAs(app.services, "owner");
  other = await signInAs(app.services, "someone-else");
  upload = (await createUpload(app.services, owner, createBody(mp4Bytes(11 * MiB, 1)))).upload;
});
afterAll(async () => app.close());

/** Every upload route, called as `cookie` on upload `id`. */
function routes(id: string, cookie?: string) {
  const c = cookie ? { cookie } : {};
  return {
    list: () => call(listLoader, app.services, "/api/uploads", c),
    create: () => call(createAction, app.services, "/api/uploads", { ...c, json: createBody(mp4Bytes(1000, 9)) }),
    get: () => call(getLoader, app.services, `/api/uploads/${id}`, { ...c, params: { id } }),
    sign: () =>
      call(signAction, app.services, `/api/uploads/${id}/parts`, {
        ...c,
        json: { parts: [{ partNumber: 1, checksum: { algorithm: "CRC64NVME", value: "AAAAAAAAAAA=" } }] },
        params: { id },
      }),
    record: () =>
      call(recordAction, app.services, `/api/uploads/${id}/parts/1`, {
        ...c,
        method: "PUT",
        json: { etag: '"abc"' },
        params: { id, partNumber: "1" },
      }),
    recordBatch: () =>
      call(signAction, app.services, `/api/uploads/${id}/parts`, {
        ...c,
        method: "PUT",
        json: { parts: [{ partNumber: 1, etag: '"abc"' }] },
        params: { id },
      }),
    complete: () =>
      call(completeAction, app.services, `/api/uploads/${id}/complete`, { ...c, method: "POST", params: { id } }),
    abort: () => call(deleteAction, app.services, `/api/uploads/${id}`, { ...c, method: "DELETE", params: { id } }),
  };
}

const snapshot = async () => ({
  uploads: await app.db.selectFrom("uploads").select(["id", "status", "last_activity_at"]).orderBy("id").execute(),
  parts: await app.db.selectFrom("upload_parts").selectAll().orderBy("upload_id").orderBy("part_number").execute(),
});

describe("sessions", () => {
  it("answers 401 JSON on every upload route without a session", async () => {
    for (const [name, route] of Object.entries(routes(upload.id))) {
      const response = await route();
      expect(response.status, name).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code, name).toBe("unauthenticated");
    }
  });
});

describe("ownership", () => {
  it("answers another user's upload exactly like an unknown one, and changes nothing", async () => {
    const before = await snapshot();
    for (const name of ["get", "sign", "record", "recordBatch", "complete", "abort"] as const) {
      const theirs = await routes(upload.id, other)[name]();
      const unknown = await routes(UNKNOWN, other)[name]();
      expect(theirs.status, name).toBe(404);
      expect(await theirs.json(), name).toEqual(await unknown.json());
    }
    expect(await snapshot()).toEqual(before);
    const listed = (await (await routes(upload.id, other).list()).json()) as { uploads: unknown[] };
    expect(listed.uploads).toEqual([]);
  });

  it("treats a malformed id as unknown", async () => {
    expect((await routes("not-a-uuid", owner).get()).status).toBe(404);
  });

  it("answers a 36-character id that is not a uuid like an unknown one on every route", async () => {
    const before = await snapshot();
    for (const name of ["get", "sign", "record", "recordBatch", "complete", "abort"] as const) {
      const malformed = await routes("-".repeat(36), owner)[name]();
      const unknown = await routes(UNKNOWN, owner)[name]();
      expect(malformed.status, name).toBe(404);
      expect(await malformed.json(), name).toEqual(await unknown.json());
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe("invalid input answers 400 and changes nothing", () => {
  const file = mp4Bytes(1000, 3);
  it.each([
    ["a negative size", { size: -5 }, "size"],
    ["a zero-length file", { size: 0 }, "size"],
    ["a fractional size", { size: 10.5 }, "size"],
    ["an oversized video", { size: 11 * 1024 * MiB }, "size"],
    ["an oversized image", { contentType: "image/png", size: 26 * MiB }, "size"],
    ["an unknown type", { contentType: "text/html" }, "contentType"],
    ["a missing file name", { fileName: "" }, "fileName"],
  ])("creating with %s", async (_what, overrides, field) => {
    const before = await snapshot();
    const response = await call(createAction, app.services, "/api/uploads", {
      cookie: owner,
      json: createBody(file, overrides),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      error: { code: string; message: string; fields: Record<string, string[]> };
    };
    expect(body.error.message.length).toBeGreaterThan(5);
    expect(Object.keys(body.error.fields)).toContain(field);
    expect(await snapshot()).toEqual(before);
  });

  it("malformed JSON", async () => {
    const before = await snapshot();
    const response = await call(createAction, app.services, "/api/uploads", {
      cookie: owner,
      body: "{ not json",
      headers: { "Content-Type": "application/json" },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("invalid_json");
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ["part 0", [0]],
    ["part 10001", [10001]],
    ["a part beyond the plan", [4]],
    ["a duplicated part", [1, 1]],
    ["more than 100 parts", Array.from({ length: 101 }, (_, i) => i + 1)],
    ["no parts", []],
  ])("signing %s", async (_what, partNumbers) => {
    const before = await snapshot();
    const response = await sign(app.services, owner, upload.id, partNumbers);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("invalid_input");
    expect(await snapshot()).toEqual(before);
  });

  it("signing a part without its checksum, or with a malformed one", async () => {
    const before = await snapshot();
    const crc64 = "must be a base64 CRC64NVME checksum (8 bytes)";
    const algorithms = "must be one of CRC64NVME, CRC32C, SHA256";
    for (const [part, path, message] of [
      [{ partNumber: 1 }, "parts.0.checksum", "Invalid input: expected object, received undefined"],
      [{ partNumber: 1, checksum: { algorithm: "CRC64NVME", value: "" } }, "parts.0.checksum.value", crc64],
      [{ partNumber: 1, checksum: { algorithm: "CRC64NVME", value: "AAAAAA==" } }, "parts.0.checksum.value", crc64],
      [
        { partNumber: 1, checksum: { algorithm: "CRC64NVME", value: null } },
        "parts.0.checksum.value",
        "must be a string",
      ],
      [{ partNumber: 1, checksum: { algorithm: "MD5", value: "AAAAAA==" } }, "parts.0.checksum.algorithm", algorithms],
    ] as const) {
      const response = await call(signAction, app.services, `/api/uploads/${upload.id}/parts`, {
        cookie: owner,
        json: { parts: [part] },
        params: { id: upload.id },
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { code: string; fields: Record<string, string[]> } };
      expect(body.error.code).toBe("invalid_input");
      expect(body.error.fields[path]).toEqual([message]);
    }
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ["part 0", "0"],
    ["part 10001", "10001"],
    ["a part beyond the plan", "4"],
    ["a non-number", "1e1"],
  ])("recording %s", async (_what, partNumber) => {
    const before = await snapshot();
    const response = await call(recordAction, app.services, `/api/uploads/${upload.id}/parts/${partNumber}`, {
      cookie: owner,
      method: "PUT",
      json: { etag: '"abc"' },
      params: { id: upload.id, partNumber },
    });
    expect(response.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  it("recording an ETag for a part S3 does not have", async () => {
    const before = await snapshot();
    const response = await call(recordAction, app.services, `/api/uploads/${upload.id}/parts/1`, {
      cookie: owner,
      method: "PUT",
      json: { etag: '"0123456789abcdef0123456789abcdef"' },
      params: { id: upload.id, partNumber: "1" },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("unknown_part");
    expect(await snapshot()).toEqual(before);
  });

  it("recording a real part with another part's ETag", async () => {
    const file = mp4Bytes(11 * MiB, 1);
    const [etag1] = await sendParts(app.services, owner, upload, file, [1], false);
    const before = await snapshot();
    const response = await call(recordAction, app.services, `/api/uploads/${upload.id}/parts/2`, {
      cookie: owner,
      method: "PUT",
      json: { etag: etag1 },
      params: { id: upload.id, partNumber: "2" },
    });
    expect(response.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });
});

describe("limits", () => {
  it("refuses an upload that would take the user past the quota of unfinished bytes", async () => {
    // 11 MiB in progress already; the quota is 30 MiB.
    const big = await call(createAction, app.services, "/api/uploads", {
      cookie: owner,
      json: createBody(mp4Bytes(20 * MiB, 4)),
    });
    expect(big.status).toBe(400);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe("quota_exceeded");
    const fits = await call(createAction, app.services, "/api/uploads", {
      cookie: owner,
      json: createBody(mp4Bytes(18 * MiB, 5)),
    });
    expect(fits.status).toBe(201);
  });

  it("answers 405 for methods a route does not take", async () => {
    const response = await call(createAction, app.services, "/api/uploads", { cookie: owner, method: "PUT", json: {} });
    expect(response.status).toBe(405);
  });
});

describe("file names", () => {
  it("strips bidi overrides and other invisible characters before storing or showing a name", async () => {
    const response = await call(createAction, app.services, "/api/uploads", {
      cookie: other,
      json: createBody(mp4Bytes(1000, 21), { fileName: "invoice\u202Egpj.exe\u200B", fingerprint: "rlo" }),
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as UploadView;
    expect(created.fileName).toBe("invoicegpj.exe");
    const row = await app.db
      .selectFrom("uploads")
      .select("file_name")
      .where("id", "=", created.id)
      .executeTakeFirstOrThrow();
    expect(row.file_name).toBe("invoicegpj.exe");
    const listed = (await (await routes(created.id, other).list()).json()) as { uploads: Array<{ fileName: string }> };
    expect(listed.uploads.map((u) => u.fileName)).toContain("invoicegpj.exe");
  });
});

describe("storage", () => {
  it("keeps the bucket private: objects and part URLs are not readable without a signature", async () => {
    const key = (
      await app.db.selectFrom("uploads").select("s3_key").where("id", "=", upload.id).executeTakeFirstOrThrow()
    ).s3_key;
    const anonymous = await fetch(`${app.s3.server.url}/feedup-media/${key}`);
    expect(anonymous.status).toBe(403);
    const listing = await fetch(`${app.s3.server.url}/feedup-media?list-type=2`);
    expect(listing.status).toBe(403);
  });
});
