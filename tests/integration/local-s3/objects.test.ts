import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketCorsCommand,
  DeleteBucketLifecycleCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectTaggingCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketAclCommand,
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutBucketCorsCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestS3, type TestS3, s3Failure } from "../../support/local-s3.js";

let s3: TestS3;
const bucket = "objects";

beforeAll(async () => {
  s3 = await startTestS3({ buckets: [bucket] });
});
afterAll(async () => s3.close());

describe("buckets", () => {
  it("creates, heads, lists and deletes a bucket, refusing a non-empty one", async () => {
    await s3.client.send(new CreateBucketCommand({ Bucket: "made-here" }));
    await s3.client.send(new HeadBucketCommand({ Bucket: "made-here" }));
    const { Buckets } = await s3.client.send(new ListBucketsCommand({}));
    expect(Buckets?.map((b) => b.Name)).toEqual(expect.arrayContaining(["made-here", bucket]));

    const again = await s3Failure(s3.client.send(new CreateBucketCommand({ Bucket: "made-here" })));
    expect(again.name).toBe("BucketAlreadyOwnedByYou");
    expect(again.$metadata.httpStatusCode).toBe(409);

    await s3.client.send(new PutObjectCommand({ Bucket: "made-here", Key: "x", Body: "x" }));
    const notEmpty = await s3Failure(s3.client.send(new DeleteBucketCommand({ Bucket: "made-here" })));
    expect(notEmpty.name).toBe("BucketNotEmpty");
    await s3.client.send(new DeleteObjectCommand({ Bucket: "made-here", Key: "x" }));
    await s3.client.send(new DeleteBucketCommand({ Bucket: "made-here" }));
    const gone = await s3Failure(s3.client.send(new HeadBucketCommand({ Bucket: "made-here" })));
    expect(gone.$metadata.httpStatusCode).toBe(404);
  });

  it("refuses invalid bucket names and unknown buckets", async () => {
    const invalid = await s3Failure(s3.client.send(new CreateBucketCommand({ Bucket: "Not_Valid" })));
    expect(invalid.name).toBe("InvalidBucketName");
    const missing = await s3Failure(s3.client.send(new GetObjectCommand({ Bucket: "no-such-bucket", Key: "k" })));
    expect(missing.name).toBe("NoSuchBucket");
  });

  it("stores, returns and deletes a CORS configuration", async () => {
    await s3.client.send(new CreateBucketCommand({ Bucket: "cors-config" }));
    const missing = await s3Failure(s3.client.send(new GetBucketCorsCommand({ Bucket: "cors-config" })));
    expect(missing.name).toBe("NoSuchCORSConfiguration");
    const rule = {
      AllowedOrigins: ["https://app.example"],
      AllowedMethods: ["PUT", "GET"],
      AllowedHeaders: ["*"],
      ExposeHeaders: ["ETag"],
      MaxAgeSeconds: 600,
    };
    await s3.client.send(new PutBucketCorsCommand({ Bucket: "cors-config", CORSConfiguration: { CORSRules: [rule] } }));
    const { CORSRules } = await s3.client.send(new GetBucketCorsCommand({ Bucket: "cors-config" }));
    expect(CORSRules).toEqual([rule]);
    await s3.client.send(new DeleteBucketCorsCommand({ Bucket: "cors-config" }));
    expect((await s3Failure(s3.client.send(new GetBucketCorsCommand({ Bucket: "cors-config" })))).name).toBe(
      "NoSuchCORSConfiguration",
    );
  });
});

describe("objects", () => {
  it("round-trips bytes, content headers and user metadata", async () => {
    const body = Buffer.from("hello, local s3 \u00e9\n".repeat(1000));
    const put = await s3.client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "dir/héllo world+plus.txt",
        Body: body,
        ContentType: "text/plain; charset=utf-8",
        ContentDisposition: 'inline; filename="hello.txt"',
        Metadata: { owner: "user-1", purpose: "test" },
      }),
    );
    expect(put.ETag).toBe(`"${createHash("md5").update(body).digest("hex")}"`);

    const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "dir/héllo world+plus.txt" }));
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(body);
    expect(got.ContentType).toBe("text/plain; charset=utf-8");
    expect(got.ContentDisposition).toBe('inline; filename="hello.txt"');
    expect(got.Metadata).toEqual({ owner: "user-1", purpose: "test" });
    expect(got.ContentLength).toBe(body.length);

    const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "dir/héllo world+plus.txt" }));
    expect(head.ETag).toBe(put.ETag);
    expect(head.ContentLength).toBe(body.length);
  });

  it("accepts a streamed body (aws-chunked with a trailing checksum) and returns the checksum when asked", async () => {
    const chunks = [Buffer.alloc(100_000, 1), Buffer.alloc(70_000, 2), Buffer.alloc(3, 3)];
    const whole = Buffer.concat(chunks);
    const put = await s3.client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "streamed",
        Body: Readable.from(chunks),
        ContentLength: whole.length,
        ChecksumAlgorithm: "SHA256",
      }),
    );
    const sha256 = createHash("sha256").update(whole).digest("base64");
    expect(put.ChecksumSHA256).toBe(sha256);
    const got = await s3.client.send(
      new GetObjectCommand({ Bucket: bucket, Key: "streamed", ChecksumMode: "ENABLED" }),
    );
    expect(got.ChecksumSHA256).toBe(sha256);
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(whole);
  });

  it("serves byte ranges with 206 and Content-Range, and 416 InvalidRange beyond the end", async () => {
    const body = Buffer.from("0123456789abcdef");
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "ranged", Body: body }));
    const mid = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "ranged", Range: "bytes=2-5" }));
    expect(mid.$metadata.httpStatusCode).toBe(206);
    expect(mid.ContentRange).toBe("bytes 2-5/16");
    expect(await mid.Body!.transformToString()).toBe("2345");
    const suffix = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "ranged", Range: "bytes=-3" }));
    expect(await suffix.Body!.transformToString()).toBe("def");
    const open = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "ranged", Range: "bytes=14-" }));
    expect(await open.Body!.transformToString()).toBe("ef");
    const beyond = await s3Failure(
      s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "ranged", Range: "bytes=16-20" })),
    );
    expect(beyond.name).toBe("InvalidRange");
    expect(beyond.$metadata.httpStatusCode).toBe(416);
  });

  it("applies response-content-type and response-content-disposition on a presigned GET", async () => {
    await s3.client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "video.bin",
        Body: "not really a video",
        ContentType: "application/octet-stream",
      }),
    );
    const url = await getSignedUrl(
      s3.client,
      new GetObjectCommand({
        Bucket: bucket,
        Key: "video.bin",
        ResponseContentType: "video/mp4",
        ResponseContentDisposition: "inline",
      }),
      { expiresIn: 60 },
    );
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("video/mp4");
    expect(response.headers.get("content-disposition")).toBe("inline");
    expect(await response.text()).toBe("not really a video");
  });

  it("answers NoSuchKey for a missing key and deletes idempotently", async () => {
    const missing = await s3Failure(s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "never-written" })));
    expect(missing.name).toBe("NoSuchKey");
    expect(missing.$metadata.httpStatusCode).toBe(404);
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "short-lived", Body: "x" }));
    await s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "short-lived" }));
    await s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "short-lived" }));
    const head = await s3Failure(s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "short-lived" })));
    expect(head.$metadata.httpStatusCode).toBe(404);
  });

  it("overwrites a key with the new bytes", async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "overwritten", Body: "first version" }));
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "overwritten", Body: "second" }));
    const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "overwritten" }));
    expect(await got.Body!.transformToString()).toBe("second");
  });

  it("writes conditionally: If-None-Match * only to a free key, If-Match only over that version", async () => {
    const first = await s3.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: "conditional", Body: "first", IfNoneMatch: "*" }),
    );
    const taken = await s3Failure(
      s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "conditional", Body: "second", IfNoneMatch: "*" })),
    );
    expect([taken.name, taken.$metadata.httpStatusCode]).toEqual(["PreconditionFailed", 412]);
    const stale = await s3Failure(
      s3.client.send(
        new PutObjectCommand({ Bucket: bucket, Key: "conditional", Body: "third", IfMatch: '"0123456789abcdef"' }),
      ),
    );
    expect([stale.name, stale.$metadata.httpStatusCode]).toEqual(["PreconditionFailed", 412]);
    const absent = await s3Failure(
      s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "conditional-none", Body: "x", IfMatch: first.ETag })),
    );
    expect([absent.name, absent.$metadata.httpStatusCode]).toEqual(["NoSuchKey", 404]);
    let got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "conditional" }));
    expect(await got.Body!.transformToString()).toBe("first");

    await s3.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: "conditional", Body: "fourth", IfMatch: first.ETag }),
    );
    got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "conditional" }));
    expect(await got.Body!.transformToString()).toBe("fourth");
    expect(await s3.server.store.tmpFiles()).toEqual([]);
  });

  it("deletes many objects at once", async () => {
    for (const key of ["batch/a", "batch/b", "batch/c"]) {
      await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    }
    const result = await s3.client.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: [{ Key: "batch/a" }, { Key: "batch/c" }, { Key: "batch/none" }] },
      }),
    );
    expect(result.Deleted?.map((d) => d.Key).sort()).toEqual(["batch/a", "batch/c", "batch/none"]);
    const left = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "batch/" }));
    expect(left.Contents?.map((c) => c.Key)).toEqual(["batch/b"]);
  });
});

describe("subresources", () => {
  it("answers the read-only configuration APIs as S3 does for a bucket that never set them", async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "configured/none", Body: "x" }));
    const objectAcl = await s3.client.send(new GetObjectAclCommand({ Bucket: bucket, Key: "configured/none" }));
    expect(objectAcl.Owner?.ID).toBe("local-s3");
    expect(objectAcl.Grants).toEqual([
      { Grantee: { Type: "CanonicalUser", ID: "local-s3", DisplayName: "local-s3" }, Permission: "FULL_CONTROL" },
    ]);
    const bucketAcl = await s3.client.send(new GetBucketAclCommand({ Bucket: bucket }));
    expect(bucketAcl.Grants?.map((g) => g.Permission)).toEqual(["FULL_CONTROL"]);
    const tags = await s3.client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: "configured/none" }));
    expect(tags.TagSet).toEqual([]);
    const versioning = await s3.client.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    expect(versioning.Status).toBeUndefined();

    const policy = await s3Failure(s3.client.send(new GetBucketPolicyCommand({ Bucket: bucket })));
    expect([policy.name, policy.$metadata.httpStatusCode]).toEqual(["NoSuchBucketPolicy", 404]);
    const lifecycle = await s3Failure(s3.client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })));
    expect([lifecycle.name, lifecycle.$metadata.httpStatusCode]).toEqual(["NoSuchLifecycleConfiguration", 404]);
    const bucketTags = await s3Failure(s3.client.send(new GetBucketTaggingCommand({ Bucket: bucket })));
    expect([bucketTags.name, bucketTags.$metadata.httpStatusCode]).toEqual(["NoSuchTagSet", 404]);
    const missingKey = await s3Failure(
      s3.client.send(new GetObjectAclCommand({ Bucket: bucket, Key: "configured/nope" })),
    );
    expect(missingKey.name).toBe("NoSuchKey");
  });

  it("refuses the APIs it does not implement with 501, never acting as the plain object or bucket call", async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "subresource/kept", Body: "original bytes" }));
    await s3.client.send(new CreateBucketCommand({ Bucket: "subresource-empty" }));
    const refusals = await Promise.all(
      [
        // Each of these would overwrite or delete the object, or delete the bucket, if taken as the plain call.
        s3.client.send(
          new PutObjectTaggingCommand({
            Bucket: bucket,
            Key: "subresource/kept",
            Tagging: { TagSet: [{ Key: "a", Value: "b" }] },
          }),
        ),
        s3.client.send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: "subresource/kept" })),
        s3.client.send(new PutObjectAclCommand({ Bucket: bucket, Key: "subresource/kept", ACL: "public-read" })),
        s3.client.send(new DeleteBucketPolicyCommand({ Bucket: "subresource-empty" })),
        s3.client.send(new DeleteBucketLifecycleCommand({ Bucket: "subresource-empty" })),
      ].map((request) => s3Failure(request)),
    );
    for (const refusal of refusals) {
      expect([refusal.name, refusal.$metadata.httpStatusCode]).toEqual(["NotImplemented", 501]);
    }
    const kept = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "subresource/kept" }));
    expect(await kept.Body!.transformToString()).toBe("original bytes");
    await s3.client.send(new HeadBucketCommand({ Bucket: "subresource-empty" }));
    expect(s3.server.stats().Unsupported?.requests).toBe(5);
  });
});

describe("listing", () => {
  const listBucket = "listing";
  const keys = ["a.txt", "photos/2024/1.jpg", "photos/2024/2.jpg", "photos/2025/1.jpg", "photos/cover.jpg", "z.txt"];
  beforeAll(async () => {
    await s3.client.send(new CreateBucketCommand({ Bucket: listBucket }));
    for (const key of keys) await s3.client.send(new PutObjectCommand({ Bucket: listBucket, Key: key, Body: key }));
  });

  it("pages ListObjectsV2 with continuation tokens until every key is seen once", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.client.send(
        new ListObjectsV2Command({ Bucket: listBucket, MaxKeys: 2, ContinuationToken: token }),
      );
      seen.push(...(page.Contents ?? []).map((c) => c.Key!));
      expect(page.KeyCount).toBe(page.Contents?.length ?? 0);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      pages += 1;
    } while (token);
    expect(seen).toEqual(keys);
    expect(pages).toBe(3);
  });

  it("rolls keys up into common prefixes with a delimiter", async () => {
    const top = await s3.client.send(new ListObjectsV2Command({ Bucket: listBucket, Delimiter: "/" }));
    expect(top.Contents?.map((c) => c.Key)).toEqual(["a.txt", "z.txt"]);
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["photos/"]);
    const photos = await s3.client.send(
      new ListObjectsV2Command({ Bucket: listBucket, Prefix: "photos/", Delimiter: "/" }),
    );
    expect(photos.Contents?.map((c) => c.Key)).toEqual(["photos/cover.jpg"]);
    expect(photos.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["photos/2024/", "photos/2025/"]);
    const paged = await s3.client.send(
      new ListObjectsV2Command({ Bucket: listBucket, Prefix: "photos/", Delimiter: "/", MaxKeys: 1 }),
    );
    expect(paged.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["photos/2024/"]);
    const next = await s3.client.send(
      new ListObjectsV2Command({
        Bucket: listBucket,
        Prefix: "photos/",
        Delimiter: "/",
        MaxKeys: 1,
        ContinuationToken: paged.NextContinuationToken,
      }),
    );
    expect(next.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["photos/2025/"]);
  });

  it("pages ListObjects (v1) with markers", async () => {
    const first = await s3.client.send(new ListObjectsCommand({ Bucket: listBucket, MaxKeys: 4 }));
    expect(first.IsTruncated).toBe(true);
    expect(first.Contents?.map((c) => c.Key)).toEqual(keys.slice(0, 4));
    const second = await s3.client.send(
      new ListObjectsCommand({ Bucket: listBucket, Marker: first.Contents!.at(-1)!.Key }),
    );
    expect(second.IsTruncated).toBe(false);
    expect(second.Contents?.map((c) => c.Key)).toEqual(keys.slice(4));
  });

  it("lists every object as its one null version", async () => {
    const versions = await s3.client.send(
      new ListObjectVersionsCommand({ Bucket: listBucket, Prefix: "photos/2024/" }),
    );
    expect(versions.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest])).toEqual([
      ["photos/2024/1.jpg", "null", true],
      ["photos/2024/2.jpg", "null", true],
    ]);
  });
});
