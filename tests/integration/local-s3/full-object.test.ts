import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  UploadPartCommand,
  type ChecksumAlgorithm,
} from "@aws-sdk/client-s3";
import { Crc32, Crc32c, Crc64Nvme } from "@aws-sdk/checksums/crc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3Failure, startTestS3, type TestS3, patternBytes as bytes } from "../../support/local-s3.js";

// S3's FULL_OBJECT multipart checksums: each part is checked against its CRC, and the object's checksum
// is the CRC of all of its bytes (not a checksum of checksums), whatever the part sizes were.

let s3: TestS3;
const Bucket = "full-object";
const MiB = 1024 * 1024;

beforeAll(async () => {
  s3 = await startTestS3({ buckets: [Bucket] });
});
afterAll(async () => s3.close());

type Crc = "CRC32" | "CRC32C" | "CRC64NVME";
const sdk = { CRC32: Crc32, CRC32C: Crc32c, CRC64NVME: Crc64Nvme };
const field = { CRC32: "ChecksumCRC32", CRC32C: "ChecksumCRC32C", CRC64NVME: "ChecksumCRC64NVME" } as const;

async function crcOf(algorithm: Crc, bytes: Buffer): Promise<string> {
  const checksum = new sdk[algorithm]();
  checksum.update(bytes);
  return Buffer.from(await checksum.digest()).toString("base64");
}

async function createFullObject(Key: string, algorithm: Crc) {
  const created = await s3.client.send(
    new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: algorithm, ChecksumType: "FULL_OBJECT" }),
  );
  expect(created.ChecksumAlgorithm).toBe(algorithm);
  expect(created.ChecksumType).toBe("FULL_OBJECT");
  return created.UploadId!;
}

async function uploadPart(Key: string, UploadId: string, PartNumber: number, Body: Buffer, algorithm: Crc) {
  const checksum = await crcOf(algorithm, Body);
  const result = await s3.client.send(
    new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body, [field[algorithm]]: checksum }),
  );
  expect(result[field[algorithm]]).toBe(checksum);
  return { PartNumber, ETag: result.ETag!, [field[algorithm]]: checksum };
}

describe("FULL_OBJECT multipart checksums", () => {
  it.each(["CRC32", "CRC32C", "CRC64NVME"] as const)(
    "%s: parts checked, ListParts and Complete carry the type, the object's checksum is the CRC of all its bytes",
    async (algorithm) => {
      const Key = `whole-${algorithm}`;
      const UploadId = await createFullObject(Key, algorithm);
      const bodies = [bytes(5 * MiB, 1), bytes(5 * MiB, 2), bytes(777_777, 3)];
      const parts = [];
      for (const [i, body] of bodies.entries()) parts.push(await uploadPart(Key, UploadId, i + 1, body, algorithm));

      const listed = await s3.client.send(new ListPartsCommand({ Bucket, Key, UploadId }));
      expect(listed.ChecksumAlgorithm).toBe(algorithm);
      expect(listed.ChecksumType).toBe("FULL_OBJECT");
      expect(listed.Parts?.map((p) => p[field[algorithm]])).toEqual(parts.map((p) => p[field[algorithm]]));
      const uploads = await s3.client.send(new ListMultipartUploadsCommand({ Bucket, Prefix: Key }));
      expect(uploads.Uploads?.map((u) => [u.ChecksumAlgorithm, u.ChecksumType])).toEqual([[algorithm, "FULL_OBJECT"]]);

      const whole = await crcOf(algorithm, Buffer.concat(bodies));
      const completed = await s3.client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key,
          UploadId,
          ChecksumType: "FULL_OBJECT",
          [field[algorithm]]: whole,
          MultipartUpload: { Parts: parts },
        }),
      );
      expect(completed[field[algorithm]]).toBe(whole);
      expect(completed.ChecksumType).toBe("FULL_OBJECT");
      const head = await s3.client.send(new HeadObjectCommand({ Bucket, Key, ChecksumMode: "ENABLED" }));
      expect(head[field[algorithm]]).toBe(whole);
      expect(head.ChecksumType).toBe("FULL_OBJECT");
    },
  );

  it("refuses a part whose bytes are not the ones its CRC64NVME names (BadDigest), and keeps the one that matches", async () => {
    const Key = "bad-part";
    const UploadId = await createFullObject(Key, "CRC64NVME");
    const body = bytes(1000, 9);
    const other = Buffer.from(body);
    other[500] = other[500]! ^ 1;
    const refused = await s3Failure(
      s3.client.send(
        new UploadPartCommand({
          Bucket,
          Key,
          UploadId,
          PartNumber: 1,
          Body: other,
          ChecksumCRC64NVME: await crcOf("CRC64NVME", body),
        }),
      ),
    );
    expect(refused.name).toBe("BadDigest");
    const { Parts } = await s3.client.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    expect(Parts ?? []).toEqual([]);
    await uploadPart(Key, UploadId, 1, body, "CRC64NVME");
  });

  it("refuses a completion that states another object checksum (BadDigest) and completes with the right one", async () => {
    const Key = "bad-whole";
    const UploadId = await createFullObject(Key, "CRC32C");
    const bodies = [bytes(5 * MiB, 4), bytes(12_345, 5)];
    const parts = [await uploadPart(Key, UploadId, 1, bodies[0]!, "CRC32C")];
    parts.push(await uploadPart(Key, UploadId, 2, bodies[1]!, "CRC32C"));
    const wrong = await crcOf("CRC32C", Buffer.concat([bodies[1]!, bodies[0]!]));
    const refused = await s3Failure(
      s3.client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key,
          UploadId,
          ChecksumCRC32C: wrong,
          ChecksumType: "FULL_OBJECT",
          MultipartUpload: { Parts: parts },
        }),
      ),
    );
    expect(refused.name).toBe("BadDigest");
    // Part checksums may be left out of a full-object completion: the object's checksum covers them.
    const completed = await s3.client.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId,
        ChecksumCRC32C: await crcOf("CRC32C", Buffer.concat(bodies)),
        MultipartUpload: { Parts: parts.map(({ PartNumber, ETag }) => ({ PartNumber, ETag })) },
      }),
    );
    expect(completed.ChecksumType).toBe("FULL_OBJECT");
  });

  it("allows only the combinations S3 allows", async () => {
    const create = (ChecksumAlgorithm: ChecksumAlgorithm, ChecksumType?: "COMPOSITE" | "FULL_OBJECT") =>
      s3.client.send(new CreateMultipartUploadCommand({ Bucket, Key: "modes", ChecksumAlgorithm, ChecksumType }));
    expect((await s3Failure(create("CRC64NVME", "COMPOSITE"))).message).toContain("only the FULL_OBJECT");
    expect((await s3Failure(create("SHA256", "FULL_OBJECT"))).message).toContain("only the COMPOSITE");
    expect((await create("CRC64NVME")).ChecksumType).toBe("FULL_OBJECT");
    expect((await create("CRC32C")).ChecksumType).toBe("COMPOSITE");
  });

  it("refuses a completion in the other checksum mode", async () => {
    const Key = "other-mode";
    const UploadId = await createFullObject(Key, "CRC64NVME");
    const part = await uploadPart(Key, UploadId, 1, bytes(100, 1), "CRC64NVME");
    const refused = await s3Failure(
      s3.client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key,
          UploadId,
          ChecksumType: "COMPOSITE",
          MultipartUpload: { Parts: [part] },
        }),
      ),
    );
    expect(refused.name).toBe("InvalidRequest");
  });
});
