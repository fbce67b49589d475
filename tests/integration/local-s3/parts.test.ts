import { createHash } from "node:crypto";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completeUpload, startTestS3, type TestS3, s3Failure, uploadSha256Parts } from "../../support/local-s3.js";

const Bucket = "parts";
const MiB = 1024 * 1024;
let s3: TestS3;

beforeAll(async () => {
  s3 = await startTestS3({ buckets: [Bucket] });
});
afterAll(async () => s3.close());

const digest = (b: Buffer) => createHash("sha256").update(b).digest();
const composite = (bodies: Buffer[]) =>
  `${createHash("sha256")
    .update(Buffer.concat(bodies.map(digest)))
    .digest("base64")}-${bodies.length}`;

const uploadParts = (Key: string, bodies: Buffer[]) => uploadSha256Parts(s3.client, Bucket, Key, bodies);

describe("Complete with the object's checksum stated in S3's composite form", () => {
  const bodies = [Buffer.alloc(5 * MiB, 1), Buffer.from("tail")];

  it("is accepted when it matches the parts, also when sent again", async () => {
    const Key = "stated-composite";
    const { UploadId, parts } = await uploadParts(Key, bodies);
    const send = () => completeUpload(s3.client, { Bucket, Key, UploadId }, parts, composite(bodies));
    expect((await send()).ChecksumSHA256).toBe(composite(bodies));
    expect((await send()).ChecksumSHA256).toBe(composite(bodies));
  });

  it("is refused when it differs (BadDigest) or is not in composite form (InvalidRequest), keeping the upload", async () => {
    const Key = "stated-wrong";
    const { UploadId, parts } = await uploadParts(Key, bodies);
    const send = (stated: string) => completeUpload(s3.client, { Bucket, Key, UploadId }, parts, stated);
    const other = composite([Buffer.from("other"), Buffer.from("bytes")]);
    const wrongCount = `${composite(bodies).split("-")[0]}-3`;
    for (const value of [other, wrongCount]) {
      const refused = await s3Failure(send(value));
      expect([refused.name, refused.$metadata.httpStatusCode]).toEqual(["BadDigest", 400]);
    }
    for (const value of [digest(Buffer.concat(bodies)).toString("base64"), "not-a-checksum-2"]) {
      const refused = await s3Failure(send(value));
      expect([refused.name, refused.$metadata.httpStatusCode]).toEqual(["InvalidRequest", 400]);
    }
    expect((await send(composite(bodies))).ChecksumSHA256).toBe(composite(bodies));
  });
});

describe("GET and HEAD with ?partNumber", () => {
  const bodies = [Buffer.alloc(5 * MiB, 1), Buffer.alloc(5 * MiB, 2), Buffer.alloc(1000, 3)];
  const whole = Buffer.concat(bodies);
  const Key = "read-by-part";

  beforeAll(async () => {
    const { UploadId, parts } = await uploadParts(Key, bodies);
    await completeUpload(s3.client, { Bucket, Key, UploadId }, parts);
    await s3.client.send(new PutObjectCommand({ Bucket, Key: "single", Body: "one piece" }));
  });

  it("answers a multipart object's part with 206, its range and the part count", async () => {
    const head = await s3.client.send(new HeadObjectCommand({ Bucket, Key }));
    expect(head.PartsCount).toBeUndefined();
    const got = await s3.client.send(new GetObjectCommand({ Bucket, Key, PartNumber: 2 }));
    expect(got.$metadata.httpStatusCode).toBe(206);
    expect([got.ContentLength, got.ContentRange, got.PartsCount, got.ETag]).toEqual([
      5 * MiB,
      `bytes ${5 * MiB}-${10 * MiB - 1}/${whole.length}`,
      3,
      head.ETag,
    ]);
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(bodies[1]!)).toBe(true);
    const last = await s3.client.send(new HeadObjectCommand({ Bucket, Key, PartNumber: 3 }));
    expect([last.$metadata.httpStatusCode, last.ContentLength, last.ContentRange, last.PartsCount]).toEqual([
      206,
      1000,
      `bytes ${10 * MiB}-${whole.length - 1}/${whole.length}`,
      3,
    ]);
  });

  it("answers part 1 of an object uploaded whole with all of it", async () => {
    const got = await s3.client.send(new GetObjectCommand({ Bucket, Key: "single", PartNumber: 1 }));
    expect([got.$metadata.httpStatusCode, got.ContentRange, got.PartsCount]).toEqual([206, "bytes 0-8/9", undefined]);
    expect(await got.Body!.transformToString()).toBe("one piece");
  });

  it("refuses a part the object does not have, a bad part number, and a part with a Range", async () => {
    for (const [key, PartNumber] of [
      [Key, 4],
      ["single", 2],
    ] as const) {
      const refused = await s3Failure(s3.client.send(new GetObjectCommand({ Bucket, Key: key, PartNumber })));
      expect([refused.name, refused.$metadata.httpStatusCode]).toEqual(["InvalidPartNumber", 416]);
      const head = await s3Failure(s3.client.send(new HeadObjectCommand({ Bucket, Key: key, PartNumber })));
      expect(head.$metadata.httpStatusCode).toBe(416);
    }
    const zero = await s3Failure(s3.client.send(new GetObjectCommand({ Bucket, Key, PartNumber: 0 })));
    expect([zero.name, zero.$metadata.httpStatusCode]).toEqual(["InvalidArgument", 400]);
    const both = await s3Failure(
      s3.client.send(new GetObjectCommand({ Bucket, Key, PartNumber: 1, Range: "bytes=0-9" })),
    );
    expect([both.name, both.$metadata.httpStatusCode]).toEqual(["InvalidRequest", 400]);
  });
});
