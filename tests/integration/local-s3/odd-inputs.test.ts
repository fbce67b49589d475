import { DeleteObjectsCommand, ListObjectsCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
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
