import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/services.js";
import { stateSnapshot } from "../support/state.js";
import { IMAGE_FIXTURES, POLYGLOTS, imageBytes, jpegWithBulkyMetadata } from "../support/images.js";
import { complete, createBody, createUpload, sendParts, signInAs } from "../support/uploads.js";

let app: TestApp;
let cookie: string;

beforeAll(async () => {
  app = await startTestApp({ UPLOAD_PART_SIZE: "5MiB", UPLOAD_RATE_LIMIT: "1000/1m" });
  cookie = await signInAs(app.services, "photographer");
});
afterAll(async () => app.close());

let n = 0;
/** Uploads `bytes` as `contentType` and asks to complete it. */
async function uploadAndComplete(bytes: Buffer, contentType: string) {
  n += 1;
  const { status, upload } = await createUpload(
    app.services,
    cookie,
    createBody(bytes, { fileName: `file-${n}`, contentType, fingerprint: `content-${n}` }),
  );
  expect(status).toBe(201);
  await sendParts(app.services, cookie, upload, bytes, [1]);
  const response = await complete(app.services, cookie, upload.id);
  const key = (
    await app.db.selectFrom("uploads").select("s3_key").where("id", "=", upload.id).executeTakeFirstOrThrow()
  ).s3_key;
  return { response, key, id: upload.id };
}

const objectExists = (key: string) =>
  app.s3.client.send(new HeadObjectCommand({ Bucket: "feedup-media", Key: key })).then(
    () => true,
    () => false,
  );

describe("image content", () => {
  it.each(IMAGE_FIXTURES)("completes a real $file", async ({ file, contentType }) => {
    const { response, key } = await uploadAndComplete(imageBytes(file), contentType);
    expect(response.status).toBe(200);
    expect(await objectExists(key)).toBe(true);
  });

  it("completes a JPEG whose frame header comes after 180 KB of metadata", async () => {
    expect((await uploadAndComplete(jpegWithBulkyMetadata(3), "image/jpeg")).response.status).toBe(200);
  });

  it.each(Object.entries(POLYGLOTS))(
    "refuses %s magic bytes followed by HTML: 422, object deleted, upload failed, nothing else changed",
    async (contentType, bytes) => {
      const before = await stateSnapshot(app);
      const { response, key, id } = await uploadAndComplete(bytes, contentType);
      expect(response.status).toBe(422);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error).toEqual({
        code: "content_mismatch",
        message: `The file's content is not ${contentType}. It was refused and deleted.`,
      });
      expect(await objectExists(key)).toBe(false);
      const after = await stateSnapshot(app);
      expect(after.uploads.find((u) => u.id === id)).toMatchObject({ status: "failed" });
      expect({ ...after, uploads: after.uploads.filter((u) => u.id !== id), parts: [] }).toEqual({
        ...before,
        parts: [],
      });
    },
  );

  it("refuses a JPEG whose frame header is not within its first 4 MiB", async () => {
    const { response, key } = await uploadAndComplete(jpegWithBulkyMetadata(72), "image/jpeg");
    expect(response.status).toBe(422);
    expect(await objectExists(key)).toBe(false);
  });
});
