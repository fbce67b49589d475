import { createHash } from "node:crypto";
import { Crc32 } from "@aws-sdk/checksums/crc";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_CREDENTIALS, s3Client, startTestS3, type TestS3, s3Failure } from "../../support/local-s3.js";
import { signRaw, signStreaming } from "../../support/sign.js";

let s3: TestS3;
const Bucket = "strict";

beforeAll(async () => {
  s3 = await startTestS3({ buckets: [Bucket] });
  await s3.client.send(new PutObjectCommand({ Bucket, Key: "existing", Body: "existing bytes" }));
});
afterAll(async () => s3.close());

/** Base64 CRC32 of `b`, as x-amz-checksum-crc32 carries it (computed by the SDK's own implementation). */
async function crc32(b: Buffer): Promise<string> {
  const checksum = new Crc32();
  checksum.update(b);
  return Buffer.from(await checksum.digest()).toString("base64");
}

const errorCode = async (response: Response) => (await response.text()).match(/<Code>([^<]+)<\/Code>/)?.[1];
const objectUrl = (key: string) => `${s3.server.url}/${Bucket}/${key}`;

describe("signature V4", () => {
  it("refuses anonymous requests", async () => {
    const response = await fetch(objectUrl("existing"));
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe("AccessDenied");
  });

  it("refuses a presigned URL whose signature was tampered with", async () => {
    const url = await getSignedUrl(s3.client, new GetObjectCommand({ Bucket, Key: "existing" }), { expiresIn: 60 });
    expect((await fetch(url)).status).toBe(200);
    const tampered = url.replace(
      /X-Amz-Signature=([0-9a-f])/,
      (_m, c: string) => `X-Amz-Signature=${c === "0" ? "1" : "0"}`,
    );
    const response = await fetch(tampered);
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe("SignatureDoesNotMatch");
  });

  it("refuses a presigned URL whose query was changed after signing", async () => {
    const url = await getSignedUrl(s3.client, new GetObjectCommand({ Bucket, Key: "existing" }), { expiresIn: 60 });
    const response = await fetch(url.replace("/existing?", "/other?"));
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe("SignatureDoesNotMatch");
  });

  it("refuses a request signed with the wrong secret, and an unknown access key", async () => {
    const wrongSecret = s3Client(s3.server.url, { ...TEST_CREDENTIALS, secretAccessKey: "not-the-secret" });
    const mismatch = await s3Failure(wrongSecret.send(new GetObjectCommand({ Bucket, Key: "existing" })));
    expect([mismatch.name, mismatch.$metadata.httpStatusCode]).toEqual(["SignatureDoesNotMatch", 403]);
    const unknown = s3Client(s3.server.url, {
      accessKeyId: "someone-else",
      secretAccessKey: TEST_CREDENTIALS.secretAccessKey,
    });
    const unknownKey = await s3Failure(unknown.send(new GetObjectCommand({ Bucket, Key: "existing" })));
    expect([unknownKey.name, unknownKey.$metadata.httpStatusCode]).toEqual(["InvalidAccessKeyId", 403]);
  });

  it("refuses a body of another length than the Content-Length that was signed", async () => {
    const url = await getSignedUrl(s3.client, new PutObjectCommand({ Bucket, Key: "sized", ContentLength: 10 }), {
      expiresIn: 60,
      signableHeaders: new Set(["content-length"]),
    });
    const response = await fetch(url, { method: "PUT", body: "eleven byte" });
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe("SignatureDoesNotMatch");
    expect((await fetch(url, { method: "PUT", body: "ten bytes!" })).status).toBe(200);
  });

  it("refuses an expired presigned URL with AccessDenied 'Request has expired'", async () => {
    const url = await getSignedUrl(s3.client, new GetObjectCommand({ Bucket, Key: "existing" }), {
      expiresIn: 5,
      signingDate: new Date(Date.now() - 60_000),
    });
    const response = await fetch(url);
    expect(response.status).toBe(403);
    const text = await response.text();
    expect(text).toContain("<Code>AccessDenied</Code>");
    expect(text).toContain("<Message>Request has expired</Message>");
  });

  it("lets a request that started before expiry finish after it", async () => {
    // Throttled to take about 1.5 s against a URL that expires after 1 s.
    s3.server.setFaults([{ op: "PutObject", fault: "throttle", bytesPerSecond: 200_000, keyPrefix: "slow" }]);
    try {
      const body = Buffer.alloc(300_000, 7);
      const url = await getSignedUrl(s3.client, new PutObjectCommand({ Bucket, Key: "slow-upload" }), { expiresIn: 1 });
      const response = await fetch(url, { method: "PUT", body });
      expect(response.status).toBe(200);
      const late = await fetch(url, { method: "PUT", body });
      expect(await errorCode(late)).toBe("AccessDenied");
    } finally {
      s3.server.setFaults([]);
    }
  });

  it("refuses a header-signed request whose clock is more than 15 minutes off", async () => {
    const { url, init } = await signRaw({
      url: objectUrl("existing"),
      method: "GET",
      headers: {},
      credentials: TEST_CREDENTIALS,
      signingDate: new Date(Date.now() - 20 * 60_000),
    });
    const response = await fetch(url, init);
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe("RequestTimeTooSkewed");
  });
});

describe("payloads and checksums", () => {
  it("verifies a signed hex SHA-256 payload hash", async () => {
    const body = Buffer.from("the real bytes");
    const good = await signRaw({
      url: objectUrl("hashed"),
      method: "PUT",
      headers: {},
      body,
      credentials: TEST_CREDENTIALS,
    });
    expect((await fetch(good.url, good.init)).status).toBe(200);
    const bad = await signRaw({
      url: objectUrl("hashed"),
      method: "PUT",
      headers: {},
      body,
      payloadHash: createHash("sha256").update("other bytes").digest("hex"),
      credentials: TEST_CREDENTIALS,
    });
    const response = await fetch(bad.url, bad.init);
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("XAmzContentSHA256Mismatch");
  });

  it.each([
    ["ChecksumCRC32", "AAAAAA=="],
    ["ChecksumCRC32C", "AAAAAA=="],
    ["ChecksumSHA256", createHash("sha256").update("nope").digest("base64")],
    ["ChecksumCRC64NVME", "AAAAAAAAAAA="],
  ] as const)("answers BadDigest when %s does not match the bytes", async (field, wrong) => {
    const error = await s3Failure(
      s3.client.send(new PutObjectCommand({ Bucket, Key: "digest", Body: "some bytes", [field]: wrong })),
    );
    expect([error.name, error.$metadata.httpStatusCode]).toEqual(["BadDigest", 400]);
  });

  it("answers BadDigest when Content-MD5 does not match, and accepts the right one", async () => {
    const body = "md5 checked";
    const error = await s3Failure(
      s3.client.send(
        new PutObjectCommand({
          Bucket,
          Key: "md5",
          Body: body,
          ContentMD5: createHash("md5").update("other").digest("base64"),
        }),
      ),
    );
    expect(error.name).toBe("BadDigest");
    const ok = await s3.client.send(
      new PutObjectCommand({
        Bucket,
        Key: "md5",
        Body: body,
        ContentMD5: createHash("md5").update(body).digest("base64"),
      }),
    );
    expect(ok.ETag).toBe(`"${createHash("md5").update(body).digest("hex")}"`);
  });

  it("decodes aws-chunked bodies and checks their trailing checksum", async () => {
    const data = Buffer.from("chunk one|chunk two");
    const frame = (trailer: string) =>
      Buffer.concat([
        Buffer.from("a\r\n"),
        data.subarray(0, 10),
        Buffer.from("\r\n9\r\n"),
        data.subarray(10),
        Buffer.from(`\r\n0\r\nx-amz-checksum-crc32:${trailer}\r\n\r\n`),
      ]);
    const send = async (body: Buffer) => {
      const { url, init } = await signRaw({
        url: objectUrl("chunked"),
        method: "PUT",
        headers: {
          "content-encoding": "aws-chunked",
          "x-amz-decoded-content-length": String(data.length),
          "x-amz-trailer": "x-amz-checksum-crc32",
          "content-length": String(body.length),
        },
        body,
        payloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        credentials: TEST_CREDENTIALS,
      });
      return fetch(url, init);
    };
    const good = await send(frame(await crc32(data)));
    expect(good.status).toBe(200);
    expect(good.headers.get("x-amz-checksum-crc32")).toBe(await crc32(data));
    const stored = await s3.client.send(new GetObjectCommand({ Bucket, Key: "chunked" }));
    expect(await stored.Body!.transformToString()).toBe(data.toString());

    const bad = await send(frame(await crc32(Buffer.from("something else"))));
    expect(bad.status).toBe(400);
    expect(await errorCode(bad)).toBe("BadDigest");
    const after = await s3.client.send(new GetObjectCommand({ Bucket, Key: "chunked" }));
    expect(await after.Body!.transformToString()).toBe(data.toString());
  });

  it("verifies every chunk signature of a signed streaming body (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)", async () => {
    const data = Buffer.alloc(200_000);
    for (let i = 0; i < data.length; i += 1) data[i] = (i * 7) % 251;
    const put = async (key: string, tamper = false) => {
      const { url, init } = await signStreaming({
        url: objectUrl(key),
        data,
        chunkSize: 64 * 1024,
        credentials: TEST_CREDENTIALS,
        tamper,
      });
      return fetch(url, init);
    };
    const good = await put("streamed-signed");
    expect(good.status).toBe(200);
    expect(good.headers.get("etag")).toBe(`"${createHash("md5").update(data).digest("hex")}"`);
    const stored = await s3.client.send(new GetObjectCommand({ Bucket, Key: "streamed-signed" }));
    expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(data)).toBe(true);

    const tampered = await put("existing", true);
    expect(tampered.status).toBe(403);
    expect(await errorCode(tampered)).toBe("SignatureDoesNotMatch");
    const kept = await s3.client.send(new GetObjectCommand({ Bucket, Key: "existing" }));
    expect(await kept.Body!.transformToString()).toBe("existing bytes");
    expect(await s3.server.store.tmpFiles()).toEqual([]);
  });

  it("checks a signed trailing checksum (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER)", async () => {
    const data = Buffer.from("a signed body with a signed trailing checksum ".repeat(3000));
    const put = async (key: string, value: string) => {
      const { url, init } = await signStreaming({
        url: objectUrl(key),
        data,
        chunkSize: 64 * 1024,
        credentials: TEST_CREDENTIALS,
        trailer: { name: "x-amz-checksum-crc32", value },
      });
      return fetch(url, init);
    };
    const good = await put("streamed-trailer", await crc32(data));
    expect(good.status).toBe(200);
    expect(good.headers.get("x-amz-checksum-crc32")).toBe(await crc32(data));
    const stored = await s3.client.send(new GetObjectCommand({ Bucket, Key: "streamed-trailer" }));
    expect(await stored.Body!.transformToString()).toBe(data.toString());

    const wrong = await put("streamed-trailer-wrong", await crc32(Buffer.from("other bytes")));
    expect(wrong.status).toBe(400);
    expect(await errorCode(wrong)).toBe("BadDigest");
    const missing = await s3Failure(s3.client.send(new GetObjectCommand({ Bucket, Key: "streamed-trailer-wrong" })));
    expect(missing.name).toBe("NoSuchKey");
  });
});
