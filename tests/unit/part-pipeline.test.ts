import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { PartChecksum } from "~/shared/checksum-mode";
import type { UploadView } from "~/shared/uploads";
import { PartPipeline } from "~/upload/part-pipeline";
import type { PartRequest } from "~/upload/transport";
import { MemoryFile, bytesOf, memoryHasher } from "../support/fake-upload-backend.js";
import { ManualClock, settled } from "../support/manual-clock.js";

const bytes = Buffer.from(Array.from({ length: 53 }, (_, i) => i));
const file = new MemoryFile(bytes, "clip.mp4", { type: "video/mp4" });
const view = {
  id: "up-1",
  size: 53,
  partSize: 10,
  partCount: 6,
  concurrency: 1,
  urlTtlSeconds: 900,
  stallTimeoutMs: 12_345,
  checksumMode: { algorithm: "SHA256", type: "COMPOSITE" },
} as UploadView;
const checksumOf = (data: Buffer) => createHash("sha256").update(data).digest("base64");

function harness(done: number[] = []) {
  const clock = new ManualClock();
  const hashed: number[] = [];
  const signed: Array<Array<{ partNumber: number; checksum: PartChecksum }>> = [];
  const requests: PartRequest[] = [];
  const pipeline = new PartPipeline(file, view, {
    hasher: (blob, algorithm) => {
      hashed.push(bytesOf(blob)[0]! / 10 + 1);
      return memoryHasher(blob, algorithm);
    },
    transport: async (request) => {
      requests.push(request);
      return { etag: '"e"' };
    },
    now: () => clock.now(),
    signParts: async (parts) => {
      signed.push(parts);
      return {
        expiresAt: new Date(clock.now() + 900_000).toISOString(),
        parts: parts.map((p) => ({
          partNumber: p.partNumber,
          size: 10,
          url: `https://s3/${p.partNumber}`,
          headers: {},
        })),
      };
    },
    isDone: (n) => done.includes(n),
  });
  return { pipeline, hashed, signed, requests };
}

describe("part pipeline", () => {
  it("plans the parts from the server's view", () => {
    expect(harness().pipeline.plan).toEqual({ fileSize: 53, partSize: 10, partCount: 6 });
  });

  it("gives a part's checksum, then hashes the round's next parts not done, two per worker", async () => {
    const { pipeline, hashed } = harness([3]);
    pipeline.startRound([1, 2, 3, 4, 5, 6]);
    expect(await pipeline.checksum(1)).toEqual({ algorithm: "SHA256", value: checksumOf(bytes.subarray(0, 10)) });
    await settled();
    expect(hashed).toEqual([1, 2, 4]);
  });

  it("signs the hashed parts waiting in the round with their checksums, in one call", async () => {
    const { pipeline, signed } = harness();
    pipeline.startRound([1, 2, 3, 4]);
    await pipeline.checksum(1);
    await settled();
    expect((await pipeline.urlFor(1)).url).toBe("https://s3/1");
    expect(signed).toEqual([
      [
        { partNumber: 1, checksum: { algorithm: "SHA256", value: checksumOf(bytes.subarray(0, 10)) } },
        { partNumber: 2, checksum: { algorithm: "SHA256", value: checksumOf(bytes.subarray(10, 20)) } },
        { partNumber: 3, checksum: { algorithm: "SHA256", value: checksumOf(bytes.subarray(20, 30)) } },
      ],
    ]);
  });

  it("PUTs exactly the part's slice with the server's stall timeout", async () => {
    const { pipeline, requests } = harness();
    const signal = new AbortController().signal;
    const progress: number[] = [];
    const url = { url: "https://s3/6", headers: { "x-amz-checksum-sha256": "c" }, expiresAt: 0 };
    await expect(pipeline.put(6, url, signal, (sent) => progress.push(sent))).resolves.toEqual({ etag: '"e"' });
    const [request] = requests;
    expect(bytesOf(request!.body)).toEqual(bytes.subarray(50, 53));
    expect(request).toMatchObject({ url: "https://s3/6", headers: url.headers, stallTimeoutMs: 12_345, signal });
    request!.onProgress(2);
    expect(progress).toEqual([2]);
  });

  it("signs and hashes a part again only as told after a refused attempt", async () => {
    const { pipeline, signed, hashed } = harness();
    pipeline.startRound([1]);
    await pipeline.checksum(1);
    await pipeline.urlFor(1);
    pipeline.forget(1, { resign: true, rehash: false, reason: "upload link refused" });
    await pipeline.checksum(1);
    await pipeline.urlFor(1);
    expect([signed.length, hashed.length]).toEqual([2, 1]);
    pipeline.forget(1, { resign: true, rehash: true, reason: "bytes changed in transit" });
    await pipeline.checksum(1);
    await pipeline.urlFor(1);
    expect([signed.length, hashed.length]).toEqual([3, 2]);
  });
});
