import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListPartsCommand,
  UploadPartCommand,
  type CompletedPart,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  TEST_CREDENTIALS,
  completeUpload,
  startTestS3,
  type TestS3,
  s3Failure,
  uploadSha256Parts,
} from "../../support/local-s3.js";
import { signRaw } from "../../support/sign.js";

const Bucket = "retries";
const MiB = 1024 * 1024;
let s3: TestS3;

beforeAll(async () => {
  s3 = await startTestS3({ buckets: [Bucket], minPartSize: 1 });
});
afterAll(async () => s3.close());

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("base64");
const uploadParts = (server: TestS3, Key: string, bodies: Buffer[]) =>
  uploadSha256Parts(server.client, Bucket, Key, bodies);
const complete = (server: TestS3, Key: string, UploadId: string, Parts: CompletedPart[]) =>
  completeUpload(server.client, { Bucket, Key, UploadId }, Parts);

describe("CompleteMultipartUpload sent again after it succeeded", () => {
  it("answers 200 with the same ETag, location and checksum, and changes nothing", async () => {
    const Key = "completed-twice";
    const { UploadId, parts } = await uploadParts(s3, Key, [Buffer.from("first "), Buffer.from("second")]);
    const first = await complete(s3, Key, UploadId, parts);
    const again = await complete(s3, Key, UploadId, parts);
    expect([again.ETag, again.Location, again.ChecksumSHA256, again.Key]).toEqual([
      first.ETag,
      first.Location,
      first.ChecksumSHA256,
      Key,
    ]);
    expect(first.ChecksumSHA256).toMatch(/-2$/);
    const got = await s3.client.send(new GetObjectCommand({ Bucket, Key }));
    expect(await got.Body!.transformToString()).toBe("first second");
    // The upload itself is gone, as after any completion.
    expect((await s3Failure(s3.client.send(new ListPartsCommand({ Bucket, Key, UploadId })))).name).toBe(
      "NoSuchUpload",
    );
  });

  it("answers both of two Completes sent at once with the same result", async () => {
    const Key = "completed-concurrently";
    const { UploadId, parts } = await uploadParts(s3, Key, [Buffer.alloc(MiB, 1), Buffer.alloc(MiB, 2)]);
    const [a, b] = await Promise.all([complete(s3, Key, UploadId, parts), complete(s3, Key, UploadId, parts)]);
    expect(b.ETag).toBe(a.ETag);
  });

  it("refuses a different part list for a completed upload with InvalidPart", async () => {
    const Key = "completed-then-changed";
    const { UploadId, parts } = await uploadParts(s3, Key, [Buffer.from("one"), Buffer.from("two")]);
    await complete(s3, Key, UploadId, parts);
    for (const other of [
      parts.slice(0, 1),
      [parts[0]!, { ...parts[1]!, ETag: '"0123456789abcdef0123456789abcdef"' }],
      [parts[0]!, { ...parts[1]!, ChecksumSHA256: sha256(Buffer.from("else")) }],
    ]) {
      const refused = await s3Failure(complete(s3, Key, UploadId, other));
      expect([refused.name, refused.$metadata.httpStatusCode]).toEqual(["InvalidPart", 400]);
    }
    const missing = await s3Failure(complete(s3, "another-key", UploadId, parts));
    expect(missing.name).toBe("NoSuchUpload");
  });

  it("remembers completions across a restart, and forgets them after the retention window", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "local-s3-retries-"));
    try {
      const first = await startTestS3({ dataDir, buckets: [Bucket] });
      const { UploadId, parts } = await uploadParts(first, "kept", [Buffer.from("kept")]);
      const done = await complete(first, "kept", UploadId, parts);
      await first.close();

      const second = await startTestS3({ dataDir, buckets: [Bucket] });
      expect((await complete(second, "kept", UploadId, parts)).ETag).toBe(done.ETag);
      await second.close();

      const third = await startTestS3({ dataDir, buckets: [Bucket], completedUploadRetentionMs: 0 });
      const forgotten = await s3Failure(complete(third, "kept", UploadId, parts));
      expect([forgotten.name, forgotten.$metadata.httpStatusCode]).toEqual(["NoSuchUpload", 404]);
      await third.close();
      expect(await readdir(join(dataDir, "buckets", Bucket, "completed"))).toEqual([]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

/** Starts a part upload whose body is held back after its first half until `finish` is called. */
async function slowPart(Key: string, UploadId: string, body: Buffer) {
  const { url, init } = await signRaw({
    url: `${s3.server.url}/${Bucket}/${Key}?partNumber=1&uploadId=${UploadId}`,
    method: "PUT",
    headers: { "content-length": String(body.length) },
    body,
    credentials: TEST_CREDENTIALS,
  });
  let answered!: (value: { status: number; etag: string }) => void;
  const response = new Promise<{ status: number; etag: string }>((resolve) => (answered = resolve));
  const req = request(url, { method: "PUT", headers: init.headers as Record<string, string> }, (res) => {
    res.resume();
    res.on("end", () => answered({ status: res.statusCode!, etag: String(res.headers.etag) }));
  });
  req.write(body.subarray(0, body.length / 2));
  return { response, finish: () => req.end(body.subarray(body.length / 2)) };
}

describe("two uploads of one part number in flight at once", () => {
  it("keeps the one that finishes last, in ListParts and in the object, and leaks no file", async () => {
    const Key = "raced-part";
    const { UploadId } = await s3.client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const original = Buffer.alloc(2 * MiB, "o");
    const retry = Buffer.alloc(MiB, "r");
    const before = s3.server.stats().UploadPart?.bytesReceived ?? 0;
    const slow = await slowPart(Key, UploadId!, original);
    await vi.waitFor(() => expect(s3.server.stats().UploadPart!.bytesReceived - before).toBe(MiB));

    const fast = await s3.client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: retry }));
    slow.finish();
    const late = await slow.response;
    expect(late.status).toBe(200);
    expect(late.etag).not.toBe(fast.ETag);

    const { Parts } = await s3.client.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    expect(Parts?.map((p) => [p.PartNumber, p.ETag, p.Size])).toEqual([[1, late.etag, original.length]]);
    const refused = await s3Failure(complete(s3, Key, UploadId!, [{ PartNumber: 1, ETag: fast.ETag }]));
    expect(refused.name).toBe("InvalidPart");
    await complete(s3, Key, UploadId!, [{ PartNumber: 1, ETag: late.etag }]);
    const got = await s3.client.send(new GetObjectCommand({ Bucket, Key }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(original)).toBe(true);
    expect(await s3.server.store.tmpFiles()).toEqual([]);
    expect(await readdir(join(s3.dataDir, "buckets", Bucket, "uploads"))).toEqual([]);
  });

  it("keeps a fast retry that finishes after a slow original, which then cannot replace it", async () => {
    const Key = "raced-part-retry-last";
    const { UploadId } = await s3.client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const original = Buffer.alloc(2 * MiB, "o");
    const before = s3.server.stats().UploadPart?.bytesReceived ?? 0;
    const slow = await slowPart(Key, UploadId!, original);
    await vi.waitFor(() => expect(s3.server.stats().UploadPart!.bytesReceived - before).toBe(MiB));
    slow.finish();
    const first = await slow.response;
    const retry = await s3.client.send(
      new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: Buffer.from("retry") }),
    );
    const { Parts } = await s3.client.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    expect(Parts?.map((p) => p.ETag)).toEqual([retry.ETag]);
    expect(first.etag).not.toBe(retry.ETag);
    const files = await readdir(join(s3.dataDir, "buckets", Bucket, "uploads", UploadId!));
    expect(files.sort()).toEqual(["part-1.json", "upload.json", expect.any(String)].sort());
  });
});
