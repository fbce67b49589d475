import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import * as Minio from "minio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_CREDENTIALS, startTestS3, type TestS3 } from "../../support/local-s3.js";

// A second client written elsewhere, with its own signing, multipart and XML code: what it accepts and
// sends differs from the AWS SDK's in small ways (header casing, quoting, query order), as real clients do.
let s3: TestS3;
let client: Minio.Client;
const bucket = "minio-client";
const MiB = 1024 * 1024;

beforeAll(async () => {
  s3 = await startTestS3({ buckets: [bucket] });
  const url = new URL(s3.server.url);
  client = new Minio.Client({
    endPoint: url.hostname,
    port: Number(url.port),
    useSSL: false,
    accessKey: TEST_CREDENTIALS.accessKeyId,
    secretKey: TEST_CREDENTIALS.secretAccessKey,
    region: "us-east-1",
    pathStyle: true,
    partSize: 5 * MiB,
  });
});
afterAll(async () => s3.close());

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe("the MinIO JavaScript client", () => {
  it("puts, stats, reads (whole and ranges), copies, lists and removes objects", async () => {
    const body = Buffer.alloc(12 * MiB + 5);
    for (let i = 0; i < body.length; i += 4096) body.writeUInt32LE((i * 2654435761) >>> 0, i);
    // Larger than its part size: the client sends it as a multipart upload (how many parts is its choice).
    await client.putObject(bucket, "clips/big.bin", body, body.length, { "Content-Type": "video/mp4" });
    const stat = await client.statObject(bucket, "clips/big.bin");
    expect(stat.size).toBe(body.length);
    expect(stat.etag).toMatch(/^[0-9a-f]{32}-\d+$/);
    expect(stat.metaData["content-type"]).toBe("video/mp4");

    expect(sha256(await readAll(await client.getObject(bucket, "clips/big.bin")))).toBe(sha256(body));
    const range = await readAll(await client.getPartialObject(bucket, "clips/big.bin", 5 * MiB - 3, 10));
    expect(range.equals(body.subarray(5 * MiB - 3, 5 * MiB + 7))).toBe(true);

    await client.copyObject(bucket, "clips/copy.bin", `/${bucket}/clips/big.bin`);
    expect(sha256(await readAll(await client.getObject(bucket, "clips/copy.bin")))).toBe(sha256(body));

    const names = await new Promise<string[]>((resolve, reject) => {
      const found: string[] = [];
      const stream = client.listObjectsV2(bucket, "clips/", true);
      stream.on("data", (item) => found.push(item.name!));
      stream.on("end", () => resolve(found));
      stream.on("error", reject);
    });
    expect(names).toEqual(["clips/big.bin", "clips/copy.bin"]);

    await client.removeObjects(bucket, ["clips/big.bin", "clips/copy.bin"]);
    await expect(client.statObject(bucket, "clips/big.bin")).rejects.toMatchObject({ code: "NotFound" });
  });

  it("uses presigned URLs it signs itself", async () => {
    const putUrl = await client.presignedPutObject(bucket, "presigned.txt", 60);
    expect((await fetch(putUrl, { method: "PUT", body: "signed by minio" })).status).toBe(200);
    const getUrl = await client.presignedGetObject(bucket, "presigned.txt", 60);
    const got = await fetch(getUrl);
    expect(await got.text()).toBe("signed by minio");
    const tampered = getUrl.replace(/X-Amz-Signature=[0-9a-f]{4}/, "X-Amz-Signature=0000");
    expect((await fetch(tampered)).status).toBe(403);
  });

  it("creates and removes buckets, and reads the answers S3 gives for unset configuration", async () => {
    await client.makeBucket("minio-made", "us-east-1");
    expect(await client.bucketExists("minio-made")).toBe(true);
    await client.removeBucket("minio-made");
    expect(await client.bucketExists("minio-made")).toBe(false);
    await client.putObject(bucket, "tagged.txt", "x");
    expect(await client.getObjectTagging(bucket, "tagged.txt")).toEqual([]);
    await expect(client.getBucketPolicy(bucket)).rejects.toMatchObject({ code: "NoSuchBucketPolicy" });
  });
});
