import { createHash } from "node:crypto";
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestS3, type TestS3, s3Failure, patternBytes as bytes } from "../../support/local-s3.js";

let s3: TestS3;
const Bucket = "copies";
const MiB = 1024 * 1024;

beforeAll(async () => {
  s3 = await startTestS3({ buckets: [Bucket, "elsewhere"] });
});
afterAll(async () => s3.close());

const md5Etag = (b: Buffer) => `"${createHash("md5").update(b).digest("hex")}"`;

const sha256Hex = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** The SHA-256 of a stored object's bytes (comparing digests: deep equality of MiBs is slow). */
async function storedSha256(Key: string, bucket = Bucket): Promise<string> {
  const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key }));
  return sha256Hex(await got.Body!.transformToByteArray());
}

/** A 2-part object (5 MiB + 3 MiB) stored with a SHA-256 composite checksum. */
async function multipartSource(Key: string, body: Buffer): Promise<void> {
  const { UploadId } = await s3.client.send(
    new CreateMultipartUploadCommand({ Bucket, Key, ContentType: "video/mp4", ChecksumAlgorithm: "SHA256" }),
  );
  const parts = [];
  for (const [i, slice] of [body.subarray(0, 5 * MiB), body.subarray(5 * MiB)].entries()) {
    const sha = createHash("sha256").update(slice).digest("base64");
    const { ETag } = await s3.client.send(
      new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body: slice, ChecksumSHA256: sha }),
    );
    parts.push({ PartNumber: i + 1, ETag, ChecksumSHA256: sha });
  }
  await s3.client.send(
    new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }),
  );
}

describe("CopyObject", () => {
  it("copies the bytes with the source's headers and metadata, under a plain MD5 ETag", async () => {
    const body = bytes(300_000, 1);
    await s3.client.send(
      new PutObjectCommand({
        Bucket,
        Key: "source/clip one é.mp4",
        Body: body,
        ContentType: "video/mp4",
        ContentDisposition: 'attachment; filename="clip.mp4"',
        Metadata: { owner: "u1" },
      }),
    );
    const result = await s3.client.send(
      new CopyObjectCommand({
        Bucket: "elsewhere",
        Key: "copied.mp4",
        CopySource: `${Bucket}/${encodeURIComponent("source/clip one é.mp4")}`,
      }),
    );
    expect(result.CopyObjectResult?.ETag).toBe(md5Etag(body));
    expect(await storedSha256("copied.mp4", "elsewhere")).toBe(sha256Hex(body));
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: "elsewhere", Key: "copied.mp4" }));
    expect(head).toMatchObject({
      ContentType: "video/mp4",
      ContentDisposition: 'attachment; filename="clip.mp4"',
      Metadata: { owner: "u1" },
      ETag: md5Etag(body),
    });
    expect(s3.server.stats().CopyObject?.bytesStored).toBeGreaterThanOrEqual(body.length);
  });

  it("copies a multipart object into one object, recomputing its checksum over the whole", async () => {
    const body = bytes(8 * MiB, 2);
    await multipartSource("source/multipart.mp4", body);
    const result = await s3.client.send(
      new CopyObjectCommand({ Bucket, Key: "copy/multipart.mp4", CopySource: `${Bucket}/source/multipart.mp4` }),
    );
    const sha256 = createHash("sha256").update(body).digest("base64");
    expect(result.CopyObjectResult).toMatchObject({ ETag: md5Etag(body), ChecksumSHA256: sha256 });
    expect(await storedSha256("copy/multipart.mp4")).toBe(sha256Hex(body));
    const head = await s3.client.send(
      new HeadObjectCommand({ Bucket, Key: "copy/multipart.mp4", ChecksumMode: "ENABLED" }),
    );
    expect(head).toMatchObject({ ChecksumSHA256: sha256, ContentType: "video/mp4" });
    const firstPart = await s3.client.send(new HeadObjectCommand({ Bucket, Key: "copy/multipart.mp4", PartNumber: 1 }));
    expect([firstPart.ContentLength, firstPart.PartsCount]).toEqual([body.length, undefined]);
  });

  it("replaces the headers with REPLACE, and refuses to copy an object onto itself unchanged", async () => {
    const body = bytes(1000, 3);
    await s3.client.send(
      new PutObjectCommand({ Bucket, Key: "self", Body: body, ContentType: "text/plain", Metadata: { v: "1" } }),
    );
    const unchanged = await s3Failure(
      s3.client.send(new CopyObjectCommand({ Bucket, Key: "self", CopySource: `${Bucket}/self` })),
    );
    expect([unchanged.name, unchanged.$metadata.httpStatusCode]).toEqual(["InvalidRequest", 400]);
    await s3.client.send(
      new CopyObjectCommand({
        Bucket,
        Key: "self",
        CopySource: `/${Bucket}/self`,
        MetadataDirective: "REPLACE",
        ContentType: "application/octet-stream",
        Metadata: { v: "2" },
      }),
    );
    const head = await s3.client.send(new HeadObjectCommand({ Bucket, Key: "self" }));
    expect(head).toMatchObject({ ContentType: "application/octet-stream", Metadata: { v: "2" } });
    expect(await storedSha256("self")).toBe(sha256Hex(body));
  });

  it("refuses a missing or malformed source, another version, and failed copy conditions, writing nothing", async () => {
    const body = bytes(2000, 4);
    const { ETag } = await s3.client.send(new PutObjectCommand({ Bucket, Key: "guarded", Body: body }));
    const attempts = [
      { CopySource: `${Bucket}/never-written`, expect: ["NoSuchKey", 404] },
      { CopySource: "no-such-bucket/guarded", expect: ["NoSuchBucket", 404] },
      { CopySource: `${Bucket}`, expect: ["InvalidArgument", 400] },
      { CopySource: `${Bucket}/guarded?versionId=3HL4kqtJlcpXroDTDmJ`, expect: ["InvalidArgument", 400] },
      { CopySource: `${Bucket}/guarded`, CopySourceIfMatch: '"0123"', expect: ["PreconditionFailed", 412] },
      { CopySource: `${Bucket}/guarded`, CopySourceIfNoneMatch: ETag, expect: ["PreconditionFailed", 412] },
      {
        CopySource: `${Bucket}/guarded`,
        CopySourceIfModifiedSince: new Date(Date.now() + 60_000),
        expect: ["PreconditionFailed", 412],
      },
    ];
    for (const { expect: expected, ...input } of attempts) {
      const failure = await s3Failure(s3.client.send(new CopyObjectCommand({ Bucket, Key: "guarded-copy", ...input })));
      expect([failure.name, failure.$metadata.httpStatusCode]).toEqual(expected);
    }
    const none = await s3Failure(s3.client.send(new HeadObjectCommand({ Bucket, Key: "guarded-copy" })));
    expect(none.$metadata.httpStatusCode).toBe(404);
    // The conditions that hold let the copy through.
    await s3.client.send(
      new CopyObjectCommand({
        Bucket,
        Key: "guarded-copy",
        CopySource: `${Bucket}/guarded?versionId=null`,
        CopySourceIfMatch: ETag,
      }),
    );
    expect(await storedSha256("guarded-copy")).toBe(sha256Hex(body));
    expect(await s3.server.store.tmpFiles()).toEqual([]);
  });
});

describe("UploadPartCopy", () => {
  it("builds a multipart object from byte ranges of existing objects", async () => {
    const body = bytes(8 * MiB + 123, 5);
    await s3.client.send(new PutObjectCommand({ Bucket, Key: "range-source", Body: body }));
    const { UploadId } = await s3.client.send(
      new CreateMultipartUploadCommand({ Bucket, Key: "assembled", ChecksumAlgorithm: "SHA256" }),
    );
    const ranges = [
      [0, 5 * MiB - 1],
      [5 * MiB, body.length - 1],
    ] as const;
    const parts = [];
    for (const [i, [start, end]] of ranges.entries()) {
      const { CopyPartResult } = await s3.client.send(
        new UploadPartCopyCommand({
          Bucket,
          Key: "assembled",
          UploadId,
          PartNumber: i + 1,
          CopySource: `${Bucket}/range-source`,
          CopySourceRange: `bytes=${start}-${end}`,
        }),
      );
      const slice = body.subarray(start, end + 1);
      expect(CopyPartResult).toMatchObject({
        ETag: md5Etag(slice),
        ChecksumSHA256: createHash("sha256").update(slice).digest("base64"),
      });
      parts.push({ PartNumber: i + 1, ETag: CopyPartResult!.ETag, ChecksumSHA256: CopyPartResult!.ChecksumSHA256 });
    }
    await s3.client.send(
      new CompleteMultipartUploadCommand({ Bucket, Key: "assembled", UploadId, MultipartUpload: { Parts: parts } }),
    );
    expect(await storedSha256("assembled")).toBe(sha256Hex(body));
  });

  it("refuses a range that is malformed or beyond the source", async () => {
    await s3.client.send(new PutObjectCommand({ Bucket, Key: "short-source", Body: bytes(100, 6) }));
    const { UploadId } = await s3.client.send(new CreateMultipartUploadCommand({ Bucket, Key: "never-assembled" }));
    for (const CopySourceRange of ["bytes=0-100", "bytes=10-5", "bytes=5-", "items=0-1"]) {
      const failure = await s3Failure(
        s3.client.send(
          new UploadPartCopyCommand({
            Bucket,
            Key: "never-assembled",
            UploadId,
            PartNumber: 1,
            CopySource: `${Bucket}/short-source`,
            CopySourceRange,
          }),
        ),
      );
      expect([failure.name, failure.$metadata.httpStatusCode]).toEqual(["InvalidArgument", 400]);
    }
    const unknownUpload = await s3Failure(
      s3.client.send(
        new UploadPartCopyCommand({
          Bucket,
          Key: "never-assembled",
          UploadId: "no-such-upload",
          PartNumber: 1,
          CopySource: `${Bucket}/short-source`,
        }),
      ),
    );
    expect(unknownUpload.name).toBe("NoSuchUpload");
  });
});
