import { createHash } from "node:crypto";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  TEST_CREDENTIALS,
  startTestS3,
  type TestS3,
  s3Failure,
  patternBytes as bytes,
} from "../../support/local-s3.js";
import { signRaw } from "../../support/sign.js";

let s3: TestS3;
const Bucket = "multipart";
const MiB = 1024 * 1024;

beforeAll(async () => {
  s3 = await startTestS3({ buckets: [Bucket] });
});
afterAll(async () => s3.close());

const md5 = (b: Buffer) => createHash("md5").update(b).digest();
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("base64");

async function create(Key: string, withChecksum = false) {
  const { UploadId } = await s3.client.send(
    new CreateMultipartUploadCommand({
      Bucket,
      Key,
      ContentType: "video/mp4",
      Metadata: { owner: "u1" },
      ...(withChecksum ? { ChecksumAlgorithm: "SHA256" } : {}),
    }),
  );
  return UploadId!;
}

async function upload(
  Key: string,
  UploadId: string,
  PartNumber: number,
  Body: Buffer,
  checksum = false,
): Promise<CompletedPart> {
  const result = await s3.client.send(
    new UploadPartCommand({
      Bucket,
      Key,
      UploadId,
      PartNumber,
      Body,
      ...(checksum ? { ChecksumSHA256: sha256(Body) } : {}),
    }),
  );
  return { PartNumber, ETag: result.ETag!, ...(checksum ? { ChecksumSHA256: result.ChecksumSHA256 } : {}) };
}

describe("multipart uploads", () => {
  it("completes parts into one object with S3's multipart ETag and composite SHA-256", async () => {
    const Key = "videos/whole.mp4";
    const UploadId = await create(Key, true);
    const parts = [bytes(5 * MiB, 1), bytes(5 * MiB, 2), bytes(123_457, 3)];
    const completed = await Promise.all(parts.map((b, i) => upload(Key, UploadId, i + 1, b, true)));
    expect(completed[0]!.ChecksumSHA256).toBe(sha256(parts[0]!));

    const result = await s3.client.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: completed } }),
    );
    const expectedEtag = `"${createHash("md5")
      .update(Buffer.concat(parts.map(md5)))
      .digest("hex")}-3"`;
    expect(result.ETag).toBe(expectedEtag);
    const composite = createHash("sha256")
      .update(Buffer.concat(parts.map((p) => createHash("sha256").update(p).digest())))
      .digest("base64");
    expect(result.ChecksumSHA256).toBe(`${composite}-3`);

    const head = await s3.client.send(new HeadObjectCommand({ Bucket, Key, ChecksumMode: "ENABLED" }));
    expect(head.ContentLength).toBe(10 * MiB + 123_457);
    expect(head.ContentType).toBe("video/mp4");
    expect(head.Metadata).toEqual({ owner: "u1" });
    expect(head.ChecksumSHA256).toBe(`${composite}-3`);
    const got = await s3.client.send(new GetObjectCommand({ Bucket, Key }));
    const stored = Buffer.from(await got.Body!.transformToByteArray());
    expect(createHash("sha256").update(stored).digest("hex")).toBe(
      createHash("sha256").update(Buffer.concat(parts)).digest("hex"),
    );

    const after = await s3Failure(s3.client.send(new ListPartsCommand({ Bucket, Key, UploadId })));
    expect(after.name).toBe("NoSuchUpload");
  });

  it("reads a completion body that writes characters as references, as Go clients do", async () => {
    const Key = "written-by-go";
    const UploadId = await create(Key);
    const parts = [await upload(Key, UploadId, 1, bytes(5 * MiB, 11)), await upload(Key, UploadId, 2, bytes(9, 12))];
    // encoding/xml escapes the ETag's quotes as &#34; (aws-sdk-go, rclone); &#x22; is the same character.
    const body = Buffer.from(
      `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
        `<Part><ETag>${parts[0]!.ETag!.replaceAll('"', "&#34;")}</ETag><PartNumber>1</PartNumber></Part>` +
        `<Part><PartNumber>2</PartNumber><ETag>${parts[1]!.ETag!.replaceAll('"', "&#x22;")}</ETag></Part>` +
        `</CompleteMultipartUpload>`,
    );
    const { url, init } = await signRaw({
      url: `${s3.server.url}/${Bucket}/${Key}?uploadId=${UploadId}`,
      method: "POST",
      headers: { "content-type": "application/xml" },
      body,
      credentials: TEST_CREDENTIALS,
    });
    const response = await fetch(url, init);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("<ETag>");
    const head = await s3.client.send(new HeadObjectCommand({ Bucket, Key }));
    expect(head.ContentLength).toBe(5 * MiB + 9);
  });

  it("refuses a completion with If-None-Match * over an existing key, keeping the upload", async () => {
    const Key = "completed-conditionally";
    await s3.client.send(new PutObjectCommand({ Bucket, Key, Body: "already here" }));
    const UploadId = await create(Key);
    const parts = [await upload(Key, UploadId, 1, bytes(1000, 21))];
    const refused = await s3Failure(
      s3.client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key,
          UploadId,
          MultipartUpload: { Parts: parts },
          IfNoneMatch: "*",
        }),
      ),
    );
    expect([refused.name, refused.$metadata.httpStatusCode]).toEqual(["PreconditionFailed", 412]);
    const listed = await s3.client.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    expect(listed.Parts?.map((p) => p.PartNumber)).toEqual([1]);
    await s3.client.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }),
    );
    const head = await s3.client.send(new HeadObjectCommand({ Bucket, Key }));
    expect(head.ContentLength).toBe(1000);
  });

  it("replaces a part uploaded twice with the latest bytes", async () => {
    const Key = "replaced";
    const UploadId = await create(Key);
    await upload(Key, UploadId, 1, Buffer.from("first attempt"));
    const second = await upload(Key, UploadId, 1, Buffer.from("second"));
    const { Parts } = await s3.client.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    expect(Parts?.map((p) => [p.PartNumber, p.ETag, p.Size])).toEqual([[1, second.ETag, 6]]);
    await s3.client.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [second] } }),
    );
    const got = await s3.client.send(new GetObjectCommand({ Bucket, Key }));
    expect(await got.Body!.transformToString()).toBe("second");
  });

  it("paginates ListParts with max-parts and part-number-marker", async () => {
    const Key = "many-parts";
    const UploadId = await create(Key);
    for (let n = 1; n <= 5; n += 1) await upload(Key, UploadId, n, Buffer.from(`part ${n}`));
    const seen: number[] = [];
    let marker: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await s3.client.send(
        new ListPartsCommand({ Bucket, Key, UploadId, MaxParts: 2, PartNumberMarker: marker }),
      );
      seen.push(...(page.Parts ?? []).map((p) => p.PartNumber!));
      pages += 1;
      if (!page.IsTruncated) break;
      marker = page.NextPartNumberMarker;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(pages).toBe(3);
  });

  it("refuses part numbers outside 1..10000", async () => {
    const Key = "numbers";
    const UploadId = await create(Key);
    for (const PartNumber of [0, 10001]) {
      const error = await s3Failure(
        s3.client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body: "x" })),
      );
      expect(error.name).toBe("InvalidArgument");
      expect(error.$metadata.httpStatusCode).toBe(400);
    }
  });

  it("refuses a completion with a wrong ETag, a missing part, parts out of order, or a small middle part", async () => {
    const Key = "strict-complete";
    const UploadId = await create(Key);
    const p1 = await upload(Key, UploadId, 1, bytes(5 * MiB, 4));
    const p2 = await upload(Key, UploadId, 2, Buffer.from("tiny"));
    const p3 = await upload(Key, UploadId, 3, Buffer.from("last"));
    const complete = (Parts: CompletedPart[]) =>
      s3Failure(
        s3.client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } })),
      );

    const wrongEtag = await complete([{ PartNumber: 1, ETag: '"0123456789abcdef0123456789abcdef"' }]);
    expect([wrongEtag.name, wrongEtag.$metadata.httpStatusCode]).toEqual(["InvalidPart", 400]);
    const missing = await complete([p1, { PartNumber: 4, ETag: p3.ETag }]);
    expect(missing.name).toBe("InvalidPart");
    const order = await complete([p2, p1]);
    expect([order.name, order.$metadata.httpStatusCode]).toEqual(["InvalidPartOrder", 400]);
    const small = await complete([p1, p2, p3]);
    expect([small.name, small.$metadata.httpStatusCode]).toEqual(["EntityTooSmall", 400]);

    // Nothing was consumed by the failed attempts: a valid completion still works.
    await s3.client.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [p1, p2] } }),
    );
    const head = await s3.client.send(new HeadObjectCommand({ Bucket, Key }));
    expect(head.ContentLength).toBe(5 * MiB + 4);
  });

  it("requires and checks each part's checksum at completion when the upload was created with one", async () => {
    const Key = "checksummed";
    const UploadId = await create(Key, true);
    const part = await upload(Key, UploadId, 1, Buffer.from("only part"), true);
    const missing = await s3Failure(
      s3.client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key,
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        }),
      ),
    );
    expect(missing.name).toBe("InvalidRequest");
    const wrong = await s3Failure(
      s3.client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key,
          UploadId,
          MultipartUpload: { Parts: [{ ...part, ChecksumSHA256: sha256(Buffer.from("other bytes")) }] },
        }),
      ),
    );
    expect(wrong.name).toBe("InvalidPart");
  });

  it("answers NoSuchUpload for an unknown upload id", async () => {
    const error = await s3Failure(
      s3.client.send(new UploadPartCommand({ Bucket, Key: "k", UploadId: "not-an-upload", PartNumber: 1, Body: "x" })),
    );
    expect([error.name, error.$metadata.httpStatusCode]).toEqual(["NoSuchUpload", 404]);
    const complete = await s3Failure(
      s3.client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key: "k",
          UploadId: "not-an-upload",
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"x"' }] },
        }),
      ),
    );
    expect(complete.name).toBe("NoSuchUpload");
  });

  it("aborts an upload: its parts are gone and later UploadPart answers NoSuchUpload", async () => {
    const Key = "aborted";
    const UploadId = await create(Key);
    await upload(Key, UploadId, 1, Buffer.from("part"));
    await s3.client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
    const later = await s3Failure(
      s3.client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: "x" })),
    );
    expect(later.name).toBe("NoSuchUpload");
    const list = await s3Failure(s3.client.send(new ListPartsCommand({ Bucket, Key, UploadId })));
    expect(list.name).toBe("NoSuchUpload");
    const again = await s3Failure(s3.client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })));
    expect(again.$metadata.httpStatusCode).toBe(404);
  });

  it("lists unfinished uploads by prefix", async () => {
    const a = await create("listed/a");
    const b = await create("listed/b");
    const { Uploads } = await s3.client.send(new ListMultipartUploadsCommand({ Bucket, Prefix: "listed/" }));
    expect(Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([
      ["listed/a", a],
      ["listed/b", b],
    ]);
    const paged = await s3.client.send(new ListMultipartUploadsCommand({ Bucket, Prefix: "listed/", MaxUploads: 1 }));
    expect(paged.IsTruncated).toBe(true);
    expect(paged.NextKeyMarker).toBe("listed/a");
  });

  it("accepts a part PUT to a presigned URL and refuses other bytes than the checksum signed", async () => {
    const Key = "presigned-part";
    const UploadId = await create(Key, true);
    const body = Buffer.from("bytes from a browser");
    const sign = (checksum: string) =>
      getSignedUrl(
        s3.client,
        new UploadPartCommand({
          Bucket,
          Key,
          UploadId,
          PartNumber: 1,
          ContentLength: body.length,
          ChecksumSHA256: checksum,
        }),
        {
          expiresIn: 60,
          signableHeaders: new Set(["content-length"]),
          unhoistableHeaders: new Set(["x-amz-checksum-sha256"]),
        },
      );
    const url = await sign(sha256(body));
    const ok = await fetch(url, { method: "PUT", body, headers: { "x-amz-checksum-sha256": sha256(body) } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("etag")).toBe(`"${md5(body).toString("hex")}"`);

    const tampered = Buffer.from("bytes from a bad actor");
    const refused = await fetch(url, {
      method: "PUT",
      body: tampered,
      headers: { "x-amz-checksum-sha256": sha256(body) },
    });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("<Code>SignatureDoesNotMatch</Code>");

    const sameLength = Buffer.from("bytes from a browsex");
    const digest = await fetch(url, {
      method: "PUT",
      body: sameLength,
      headers: { "x-amz-checksum-sha256": sha256(body) },
    });
    expect(digest.status).toBe(400);
    expect(await digest.text()).toContain("<Code>BadDigest</Code>");

    const { Parts } = await s3.client.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    expect(Parts?.map((p) => [p.ETag, p.ChecksumSHA256])).toEqual([[`"${md5(body).toString("hex")}"`, sha256(body)]]);
  });

  it("serves ranges that span part boundaries of a completed object", async () => {
    const Key = "spanning";
    const UploadId = await create(Key);
    const parts = [bytes(5 * MiB, 11), bytes(5 * MiB, 12), bytes(1000, 13)];
    const done = await Promise.all(parts.map((b, i) => upload(Key, UploadId, i + 1, b)));
    await s3.client.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: done } }),
    );
    const whole = Buffer.concat(parts);
    for (const [start, end] of [
      [5 * MiB - 10, 5 * MiB + 9],
      [0, 10 * MiB + 999],
      [10 * MiB - 1, 10 * MiB + 5],
    ] as const) {
      const got = await s3.client.send(new GetObjectCommand({ Bucket, Key, Range: `bytes=${start}-${end}` }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(whole.subarray(start, end + 1))).toBe(true);
    }
  });

  it("finishes a read that started before the object was overwritten, with the old bytes", async () => {
    const Key = "read-during-overwrite";
    const old = bytes(6 * MiB, 21);
    await s3.client.send(new PutObjectCommand({ Bucket, Key, Body: old }));
    const reading = await s3.client.send(new GetObjectCommand({ Bucket, Key }));
    await s3.client.send(new PutObjectCommand({ Bucket, Key, Body: "new bytes" }));
    const body = Buffer.from(await reading.Body!.transformToByteArray());
    expect(body.equals(old)).toBe(true);
    const fresh = await s3.client.send(new GetObjectCommand({ Bucket, Key }));
    expect(await fresh.Body!.transformToString()).toBe("new bytes");
  });
});
