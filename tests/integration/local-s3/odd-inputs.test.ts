import { createHash } from "node:crypto";
import { request } from "node:http";
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_CREDENTIALS, startTestS3, type TestS3 } from "../../support/local-s3.js";
import { signRaw } from "../../support/sign.js";

let s3: TestS3;
const Bucket = "odd-inputs";

beforeAll(async () => {
  s3 = await startTestS3({ buckets: [Bucket] });
});
afterAll(async () => s3.close());

const allKeys = async () =>
  ((await s3.client.send(new ListObjectsV2Command({ Bucket }))).Contents ?? []).map((c) => c.Key!);

describe("keys that XML parsers like to change", () => {
  const oddKeys = [" ", "  ", "a ", " a", "_", "__", "x\ty", "0012", "true", "&amp;", "<", "\r", "line\nbreak"];

  it("deletes keys made of or ending in spaces, underscores and entity-like text in one batch", async () => {
    for (const Key of [...oddKeys, "kept"]) await s3.client.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
    expect((await allKeys()).sort()).toEqual([...oddKeys, "kept"].sort());
    const result = await s3.client.send(
      new DeleteObjectsCommand({ Bucket, Delete: { Objects: oddKeys.map((Key) => ({ Key })) } }),
    );
    expect(result.Deleted?.map((d) => d.Key).sort()).toEqual([...oddKeys].sort());
    expect(result.Errors ?? []).toEqual([]);
    expect(await allKeys()).toEqual(["kept"]);
  });

  it("reads an indented body written by hand, with the spaces inside a key kept", async () => {
    for (const Key of [" padded ", "padded"]) await s3.client.send(new PutObjectCommand({ Bucket, Key, Body: "x" }));
    const body = Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Delete>\n  <Quiet>true</Quiet>\n  <Object>\n    <Key> padded </Key>\n  </Object>\n</Delete>\n`,
    );
    const { url, init } = await signRaw({
      url: `${s3.server.url}/${Bucket}?delete`,
      method: "POST",
      headers: { "content-md5": createHash("md5").update(body).digest("base64") },
      body,
      credentials: TEST_CREDENTIALS,
    });
    const response = await fetch(url, init);
    expect(response.status).toBe(200);
    expect(await response.text()).not.toContain("<Deleted>");
    expect(await allKeys()).toEqual(expect.arrayContaining(["padded"]));
    expect(await allKeys()).not.toContain(" padded ");
  });
});

describe("max-keys=0", () => {
  beforeAll(async () => {
    for (const Key of ["m/1", "m/2"]) await s3.client.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
  });

  it("answers an empty, untruncated page on ListObjects", async () => {
    const page = await s3.client.send(new ListObjectsCommand({ Bucket, Prefix: "m/", MaxKeys: 0 }));
    expect([page.Contents ?? [], page.IsTruncated, page.MaxKeys]).toEqual([[], false, 0]);
  });

  it("answers an empty, untruncated page on ListObjectsV2", async () => {
    const page = await s3.client.send(new ListObjectsV2Command({ Bucket, Prefix: "m/", MaxKeys: 0 }));
    expect([page.Contents ?? [], page.IsTruncated, page.KeyCount, page.NextContinuationToken]).toEqual([
      [],
      false,
      0,
      undefined,
    ]);
  });
});

/** Sends a signed request with its headers' text as UTF-8 bytes, as the Go, Java and Rust SDKs (and curl) do. */
async function sendUtf8Headers(signed: { url: string; init: RequestInit }): Promise<{ status: number; body: string }> {
  const headers = Object.fromEntries(
    Object.entries(signed.init.headers as Record<string, string>).map(([name, value]) => [
      name,
      // Node writes header strings one byte per character: this puts the UTF-8 bytes on the wire.
      Buffer.from(value, "utf8").toString("latin1"),
    ]),
  );
  return new Promise((resolve, reject) => {
    const req = request(signed.url, { method: signed.init.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end(Buffer.from(signed.init.body as Uint8Array));
  });
}

const fromEncodedWord = (value: string | undefined) =>
  Buffer.from(value!.match(/^=\?UTF-8\?B\?(.*)\?=$/)![1]!, "base64").toString("utf8");

describe("metadata values beyond ASCII", () => {
  const title = "Grüße aus Zürich — 東京 €";

  it("accepts a value sent and signed as UTF-8, and returns it RFC 2047-encoded on GET and HEAD", async () => {
    const body = Buffer.from("utf-8 metadata");
    const signed = await signRaw({
      url: `${s3.server.url}/${Bucket}/meta/utf8`,
      method: "PUT",
      headers: { "x-amz-meta-title": title, "content-length": String(body.length) },
      body,
      credentials: TEST_CREDENTIALS,
    });
    expect(await sendUtf8Headers(signed)).toMatchObject({ status: 200 });
    const head = await s3.client.send(new HeadObjectCommand({ Bucket, Key: "meta/utf8" }));
    expect(head.Metadata?.title).toMatch(/^=\?UTF-8\?B\?/);
    expect(fromEncodedWord(head.Metadata?.title)).toBe(title);
    const got = await s3.client.send(new GetObjectCommand({ Bucket, Key: "meta/utf8" }));
    expect(fromEncodedWord(got.Metadata?.title)).toBe(title);
  });

  it("still refuses such a value changed after signing", async () => {
    const body = Buffer.from("x");
    const signed = await signRaw({
      url: `${s3.server.url}/${Bucket}/meta/tampered`,
      method: "PUT",
      headers: { "x-amz-meta-title": title, "content-length": "1" },
      body,
      credentials: TEST_CREDENTIALS,
    });
    (signed.init.headers as Record<string, string>)["x-amz-meta-title"] = title.replace("€", "$");
    const refused = await sendUtf8Headers(signed);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain("<Code>SignatureDoesNotMatch</Code>");
  });

  it("takes latin1 text from the JS SDK and RFC 2047 encoded words, storing the text they spell", async () => {
    await s3.client.send(
      new PutObjectCommand({
        Bucket,
        Key: "meta/sdk",
        Body: "x",
        Metadata: {
          city: "Zürich",
          encoded: `=?UTF-8?B?${Buffer.from("東京", "utf8").toString("base64")}?=`,
          plain: "ascii",
        },
      }),
    );
    const head = await s3.client.send(new HeadObjectCommand({ Bucket, Key: "meta/sdk" }));
    expect(fromEncodedWord(head.Metadata?.city)).toBe("Zürich");
    expect(fromEncodedWord(head.Metadata?.encoded)).toBe("東京");
    expect(head.Metadata?.plain).toBe("ascii");
  });
});
