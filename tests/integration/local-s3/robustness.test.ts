import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestS3, type TestS3 } from "../../support/local-s3.js";

const Bucket = "sturdy";
const MiB = 1024 * 1024;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "local-s3-sturdy-"));
});
afterAll(async () => rm(dataDir, { recursive: true, force: true }));

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("robustness", () => {
  it("keeps objects and unfinished multipart uploads across a restart", async () => {
    const first = await startTestS3({ dataDir, buckets: [Bucket] });
    await first.client.send(
      new PutObjectCommand({ Bucket, Key: "kept", Body: "survives restarts", ContentType: "text/plain" }),
    );
    const { UploadId } = await first.client.send(new CreateMultipartUploadCommand({ Bucket, Key: "half-done" }));
    const part = await first.client.send(
      new UploadPartCommand({ Bucket, Key: "half-done", UploadId, PartNumber: 1, Body: "first part" }),
    );
    await first.close();

    const second = await startTestS3({ dataDir, buckets: [Bucket] });
    try {
      const got = await second.client.send(new GetObjectCommand({ Bucket, Key: "kept" }));
      expect(await got.Body!.transformToString()).toBe("survives restarts");
      expect(got.ContentType).toBe("text/plain");
      const { Parts } = await second.client.send(new ListPartsCommand({ Bucket, Key: "half-done", UploadId }));
      expect(Parts?.map((p) => p.ETag)).toEqual([part.ETag]);
      await second.client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key: "half-done",
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        }),
      );
      const done = await second.client.send(new GetObjectCommand({ Bucket, Key: "half-done" }));
      expect(await done.Body!.transformToString()).toBe("first part");
    } finally {
      await second.close();
    }
  });

  it("sweeps temp files and unreferenced data left by a crash when it starts", async () => {
    const first = await startTestS3({ dataDir, buckets: [Bucket] });
    await first.close();
    await writeFile(join(dataDir, "tmp", "half-written-body"), "partial");
    await writeFile(join(dataDir, "buckets", Bucket, "data", "orphan-from-crash"), "orphan");
    const second = await startTestS3({ dataDir, buckets: [Bucket] });
    try {
      expect(await readdir(join(dataDir, "tmp"))).toEqual([]);
      expect(await readdir(join(dataDir, "buckets", Bucket, "data"))).not.toContain("orphan-from-crash");
      const kept = await second.client.send(new HeadObjectCommand({ Bucket, Key: "kept" }));
      expect(kept.ContentLength).toBe("survives restarts".length);
    } finally {
      await second.close();
    }
  });

  describe("with one server", () => {
    let s3: TestS3;
    beforeAll(async () => {
      s3 = await startTestS3({ buckets: [Bucket] });
    });
    afterAll(async () => s3.close());

    it("leaves no temp file and no part when the client disconnects mid-body", async () => {
      const { UploadId } = await s3.client.send(new CreateMultipartUploadCommand({ Bucket, Key: "dropped" }));
      const url = new URL(
        await getSignedUrl(s3.client, new UploadPartCommand({ Bucket, Key: "dropped", UploadId, PartNumber: 1 }), {
          expiresIn: 60,
        }),
      );
      const req = request(url, { method: "PUT", headers: { "Content-Length": String(4 * MiB) } });
      req.on("error", () => undefined);
      req.write(Buffer.alloc(256 * 1024, 9));
      await vi.waitFor(() => expect(s3.server.stats().UploadPart?.bytesReceived ?? 0).toBeGreaterThan(0));
      req.destroy();
      await vi.waitFor(async () => expect(await s3.server.store.tmpFiles()).toEqual([]));
      const { Parts } = await s3.client.send(new ListPartsCommand({ Bucket, Key: "dropped", UploadId }));
      expect(Parts ?? []).toEqual([]);
    });

    it("takes concurrent parts of one upload without mixing them up", async () => {
      const Key = "concurrent";
      const { UploadId } = await s3.client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
      const parts = Array.from({ length: 8 }, (_, i) => Buffer.alloc(5 * MiB + (i === 7 ? -MiB : 0), i + 1));
      const etags = await Promise.all(
        parts.map((Body, i) =>
          s3.client
            .send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body }))
            .then((r) => r.ETag!),
        ),
      );
      await s3.client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key,
          UploadId,
          MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
        }),
      );
      const got = await s3.client.send(new GetObjectCommand({ Bucket, Key }));
      expect(sha(Buffer.from(await got.Body!.transformToByteArray()))).toBe(sha(Buffer.concat(parts)));
    });

    it("settles a Complete racing an Abort on one outcome, with nothing left behind", async () => {
      for (let round = 0; round < 5; round += 1) {
        const Key = `race-${round}`;
        const { UploadId } = await s3.client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
        const { ETag } = await s3.client.send(
          new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: Buffer.alloc(2 * MiB, round) }),
        );
        const [complete, abort] = await Promise.allSettled([
          s3.client.send(
            new CompleteMultipartUploadCommand({
              Bucket,
              Key,
              UploadId,
              MultipartUpload: { Parts: [{ ETag, PartNumber: 1 }] },
            }),
          ),
          s3.client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })),
        ]);
        expect([complete.status, abort.status].filter((s) => s === "fulfilled")).toHaveLength(1);
        const exists = await s3.client.send(new HeadObjectCommand({ Bucket, Key })).then(
          () => true,
          () => false,
        );
        expect(exists).toBe(complete.status === "fulfilled");
        const { Uploads } = await s3.client.send(new ListMultipartUploadsCommand({ Bucket, Prefix: Key }));
        expect(Uploads ?? []).toEqual([]);
      }
      expect(await s3.server.store.tmpFiles()).toEqual([]);
    });
  });
});
