import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { action as partsAction } from "~/routes/api.uploads.$id.parts";
import { loader as getLoader } from "~/routes/api.uploads.$id";
import type { UploadView } from "../../server/uploads/views.js";
import { partChecksum } from "../support/checksums.js";
import { call } from "../support/requests.js";
import { startTestApp, type TestApp } from "../support/services.js";
import { MiB, createBody, createUpload, mp4Bytes, partBytes, sendParts, signInAs } from "../support/uploads.js";

let app: TestApp;
let alice: string;

beforeAll(async () => {
  app = await startTestApp({ UPLOAD_PART_SIZE: "5MiB" });
  alice = await signInAs(app.services, "alice");
});
afterAll(async () => app.close());

const record = (id: string, parts: unknown) =>
  call(partsAction, app.services, `/api/uploads/${id}/parts`, {
    method: "PUT",
    json: { parts },
    cookie: alice,
    params: { id },
  });
const ledger = async (id: string) =>
  (
    await app.db
      .selectFrom("upload_parts")
      .select(["part_number", "etag"])
      .where("upload_id", "=", id)
      .orderBy("part_number")
      .execute()
  ).map((p) => [p.part_number, p.etag]);
const lastActivity = async (id: string) =>
  (await app.db.selectFrom("uploads").select("last_activity_at").where("id", "=", id).executeTakeFirstOrThrow())
    .last_activity_at;
const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string; message: string; fields?: Record<string, string[]> } }).error;

/** An upload of 3 parts (5, 5 and 1 MiB) whose parts are in storage but not recorded. */
async function sentButNotRecorded(seed: number) {
  const file = mp4Bytes(11 * MiB, seed);
  const { upload } = await createUpload(app.services, alice, createBody(file));
  const etags = await sendParts(app.services, alice, upload, file, [1, 2, 3], false);
  const parts = await Promise.all(
    etags.map(async (etag, i) => ({
      partNumber: i + 1,
      etag,
      checksum: await partChecksum(upload.checksumMode.algorithm, partBytes(file, upload, i + 1)),
    })),
  );
  return { upload, parts };
}

describe("recording stored parts in a batch (PUT /api/uploads/:id/parts)", () => {
  it("records every part of the batch in one call, each checked against storage, and stamps the activity", async () => {
    const { upload, parts } = await sentButNotRecorded(1);
    expect(await ledger(upload.id)).toEqual([]);
    // An hour-old stamp, so a call that did not stamp it would leave it there.
    const before = new Date(Date.now() - 3_600_000);
    await app.db.updateTable("uploads").set({ last_activity_at: before }).where("id", "=", upload.id).execute();
    const response = await record(upload.id, parts);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { parts: Array<{ partNumber: number; etag: string; size: number }> };
    expect(body.parts.map((p) => [p.partNumber, p.etag, p.size])).toEqual([
      [1, parts[0]!.etag, 5 * MiB],
      [2, parts[1]!.etag, 5 * MiB],
      [3, parts[2]!.etag, 1 * MiB],
    ]);
    expect(await ledger(upload.id)).toEqual(parts.map((p) => [p.partNumber, p.etag]));
    expect((await lastActivity(upload.id)).getTime()).toBeGreaterThan(before.getTime());
    // Recording the same parts again changes nothing and answers the same.
    expect((await record(upload.id, parts)).status).toBe(200);
    expect(await ledger(upload.id)).toEqual(parts.map((p) => [p.partNumber, p.etag]));
  });

  it("records nothing when storage lacks one part of the batch, and names it", async () => {
    const { upload, parts } = await sentButNotRecorded(2);
    const wrong = [parts[0]!, { ...parts[1]!, etag: parts[2]!.etag }, parts[2]!];
    const response = await record(upload.id, wrong);
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe("unknown_part");
    expect(error.message).toBe("Storage has no part 2 with this ETag and checksum.");
    expect(await ledger(upload.id)).toEqual([]);
  });

  it("refuses a checksum that is not the part's, or in another algorithm than the upload's", async () => {
    const { upload, parts } = await sentButNotRecorded(3);
    const otherBytes = { ...parts[0]!, checksum: parts[1]!.checksum };
    expect((await errorOf(await record(upload.id, [otherBytes]))).code).toBe("unknown_part");
    const otherAlgorithm = { ...parts[0]!, checksum: { algorithm: "SHA256", value: "A".repeat(43) + "=" } };
    const refused = await record(upload.id, [otherAlgorithm]);
    expect(refused.status).toBe(400);
    expect((await errorOf(refused)).message).toBe(
      `This upload's parts are checked with ${upload.checksumMode.algorithm}, not SHA256.`,
    );
    expect(await ledger(upload.id)).toEqual([]);
  });

  it.each([
    ["no parts", [], "record at least one part"],
    ["a part twice", "twice", "duplicate part numbers 1"],
    ["a part beyond the plan", "beyond", "part numbers must be 1..3"],
    ["more than 100 parts", "many", "record at most 100 parts per call"],
  ])("refuses %s, recording nothing", async (_what, shape, message) => {
    const { upload, parts } = await sentButNotRecorded(4 + String(shape).length);
    const batch =
      shape === "twice"
        ? [parts[0]!, parts[0]!]
        : shape === "beyond"
          ? [parts[0]!, { ...parts[0]!, partNumber: 4 }]
          : shape === "many"
            ? Array.from({ length: 101 }, (_, i) => ({ ...parts[0]!, partNumber: i + 1 }))
            : shape;
    const response = await record(upload.id, batch);
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe("invalid_input");
    expect(error.fields?.parts).toEqual([message]);
    expect(await ledger(upload.id)).toEqual([]);
  });

  it("answers the parts route's two methods, and 405 naming both for others", async () => {
    const { upload } = await sentButNotRecorded(20);
    const response = await call(partsAction, app.services, `/api/uploads/${upload.id}/parts`, {
      method: "PATCH",
      json: { parts: [] },
      cookie: alice,
      params: { id: upload.id },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("POST, PUT");
  });

  it("the upload's view lists the recorded parts", async () => {
    const { upload, parts } = await sentButNotRecorded(21);
    await record(upload.id, parts.slice(0, 2));
    const view = (await (
      await call(getLoader, app.services, `/api/uploads/${upload.id}`, { cookie: alice, params: { id: upload.id } })
    ).json()) as UploadView;
    // Storage's list is the truth: part 3 is there too, though not recorded.
    expect(view.completedParts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
  });
});
