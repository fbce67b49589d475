import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { action as completeAction } from "~/routes/api.uploads.$id.complete";
import type { ChecksumModeName } from "~/shared/checksum-mode";
import type { UploadView } from "../../server/uploads/views.js";
import { checksumOf } from "../support/checksums.js";
import { call } from "../support/requests.js";
import { startTestApp, type TestApp } from "../support/services.js";
import { MiB, createBody, createUpload, mp4Bytes, partBytes, sendParts, sign, signInAs } from "../support/uploads.js";

let app: TestApp;
let alice: string;

beforeAll(async () => {
  app = await startTestApp({ UPLOAD_PART_SIZE: "5MiB" });
  alice = await signInAs(app.services, "alice");
});
afterAll(async () => app.close());

const row = (id: string) => app.db.selectFrom("uploads").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

/** The composite checksum S3 makes: the algorithm's checksum of the concatenated part digests, "-<parts>". */
async function composite(algorithm: "CRC32C" | "SHA256", parts: Buffer[]): Promise<string> {
  const digests = await Promise.all(parts.map(async (p) => Buffer.from(await checksumOf(algorithm, p), "base64")));
  return `${await checksumOf(algorithm, Buffer.concat(digests))}-${parts.length}`;
}

describe("UPLOAD_CHECKSUM", () => {
  it.each([
    ["crc64nvme", "CRC64NVME", "FULL_OBJECT"],
    ["crc32c", "CRC32C", "COMPOSITE"],
    ["sha256", "SHA256", "COMPOSITE"],
  ] as const)(
    "%s: S3 creates the upload with %s %s, checks each part, and the object's checksum is the file's",
    async (mode: ChecksumModeName, algorithm, type) => {
      const services = app.withEnv({ UPLOAD_CHECKSUM: mode });
      const file = mp4Bytes(11 * MiB + 5, mode.length);
      const { upload } = await createUpload(services, alice, createBody(file));
      expect(upload.checksumMode).toEqual({ algorithm, type });
      await sendParts(services, alice, upload, file, [1, 2, 3]);
      const response = await call(completeAction, services, `/api/uploads/${upload.id}/complete`, {
        method: "POST",
        cookie: alice,
        params: { id: upload.id },
      });
      expect(response.status).toBe(200);
      const done = (await response.json()) as UploadView;
      const parts = [1, 2, 3].map((n) => partBytes(file, upload, n));
      const expected =
        type === "FULL_OBJECT" ? await checksumOf(algorithm, file) : await composite(algorithm as "CRC32C", parts);
      expect(done.objectChecksum).toBe(expected);
      expect(done.completedParts.map((p) => p.checksum)).toEqual(
        await Promise.all(parts.map((p) => checksumOf(algorithm, p))),
      );
      const record = await row(upload.id);
      expect([record.checksum_algorithm, record.checksum_type, record.checksum]).toEqual([algorithm, type, expected]);
      const head = await app.s3.client.send(
        new HeadObjectCommand({ Bucket: "feedup-media", Key: record.s3_key, ChecksumMode: "ENABLED" }),
      );
      expect(head.ChecksumType).toBe(type);
    },
  );

  it("an upload keeps the mode it was created with: parts signed in another algorithm are refused", async () => {
    const crc32c = app.withEnv({ UPLOAD_CHECKSUM: "crc32c" });
    const file = mp4Bytes(6 * MiB, 77);
    const { upload } = await createUpload(crc32c, alice, createBody(file));
    // The operator has since switched to the default (CRC64NVME): the app's default services sign with it.
    const refused = await sign(app.services, alice, upload.id, [1], file, upload.partSize);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      error: {
        code: "invalid_input",
        message: "This upload's parts are checked with CRC32C, not CRC64NVME.",
        fields: { checksum: ["algorithm must be CRC32C"] },
      },
    });
    // Resuming under the new configuration still sends and completes it in its own mode.
    await sendParts(crc32c, alice, upload, file, [1, 2]);
    const done = await call(completeAction, app.services, `/api/uploads/${upload.id}/complete`, {
      method: "POST",
      cookie: alice,
      params: { id: upload.id },
    });
    expect(((await done.json()) as UploadView).objectChecksum).toBe(
      await composite("CRC32C", [partBytes(file, upload, 1), partBytes(file, upload, 2)]),
    );
  });
});
