import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { planParts } from "~/shared/plan";
import { UploadFailedError } from "~/upload/errors";
import { PartDigests, unreadableFileError } from "~/upload/part-digests";
import { MemoryFile, bytesOf, memoryHasher } from "../support/fake-upload-backend.js";
import { settled } from "../support/manual-clock.js";

const MiB = 1024 * 1024;
const bytes = Buffer.from(Array.from({ length: 11 * MiB }, (_, i) => (i * 31) % 251));
const file = new MemoryFile(bytes, "clip.mp4", { type: "video/mp4" });
const plan = planParts(bytes.length, 5 * MiB);
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest();

/** A hasher whose calls wait until the test lets them finish, recording what overlaps. */
function gatedHasher() {
  const calls: Array<{ size: number; finish: () => void }> = [];
  let running = 0;
  let maxRunning = 0;
  const hasher = async (blob: Blob) => {
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    await new Promise<void>((resolve) => calls.push({ size: blob.size, finish: resolve }));
    running -= 1;
    return memoryHasher(blob, "SHA256");
  };
  return { hasher, calls, maxRunning: () => maxRunning };
}

describe("part digests", () => {
  it("hash each part's slice with SHA-256, once", async () => {
    let hashed = 0;
    const digests = new PartDigests(file, plan, (blob) => {
      hashed += 1;
      return memoryHasher(blob, "SHA256");
    });
    expect(await digests.digest(3)).toBe(sha256(bytes.subarray(10 * MiB)).toString("base64"));
    expect(digests.get(3)).toBe(sha256(bytes.subarray(10 * MiB)).toString("base64"));
    await digests.digest(3);
    expect(hashed).toBe(1);
    expect(digests.has(3) && !digests.has(1)).toBe(true);
    expect(digests.get(1)).toBeUndefined();
  });

  it("hash one slice at a time, in the order asked", async () => {
    const gate = gatedHasher();
    const digests = new PartDigests(file, plan, gate.hasher);
    const all = Promise.all([digests.digest(2), digests.digest(1), digests.digest(3)]);
    for (let i = 0; i < 3; i += 1) {
      await settled();
      expect(gate.calls).toHaveLength(i + 1);
      gate.calls[i]!.finish();
    }
    await all;
    expect(gate.maxRunning()).toBe(1);
    expect(gate.calls.map((c) => c.size)).toEqual([5 * MiB, 5 * MiB, 1 * MiB]);
  });

  it("hash ahead in the background: the first `limit` upcoming parts not hashed yet", async () => {
    const hashedSizes: number[] = [];
    const digests = new PartDigests(file, plan, (blob) => {
      hashedSizes.push(blob.size);
      return memoryHasher(blob, "SHA256");
    });
    await digests.digest(2);
    digests.hashAhead([2, 3, 1], 1);
    await settled();
    expect(digests.has(3)).toBe(true);
    expect(digests.has(1)).toBe(false);
    expect(hashedSizes).toEqual([5 * MiB, 1 * MiB]);
  });

  it("hash a part again once its digest is forgotten", async () => {
    const seen: Buffer[] = [];
    const digests = new PartDigests(file, plan, (blob) => {
      seen.push(bytesOf(blob));
      return memoryHasher(blob, "SHA256");
    });
    await digests.digest(1);
    digests.forget(1);
    expect(digests.has(1)).toBe(false);
    await digests.digest(1);
    expect(seen).toHaveLength(2);
  });

  it("stop with a plain message when the browser can no longer read the file; other parts still hash", async () => {
    let first = true;
    const digests = new PartDigests(file, plan, async (blob) => {
      if (first) {
        first = false;
        throw new DOMException("The requested file could not be read.", "NotReadableError");
      }
      return memoryHasher(blob, "SHA256");
    });
    const failure = await digests.digest(1).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UploadFailedError);
    expect(failure).toMatchObject({
      message:
        "“clip.mp4” can no longer be read: it was moved, changed or deleted since it was chosen. Choose it again to continue.",
      gone: false,
    });
    expect(await digests.digest(2)).toBe(sha256(bytes.subarray(5 * MiB, 10 * MiB)).toString("base64"));
  });

  it("leave other errors as they are", () => {
    expect(unreadableFileError("a", new DOMException("gone", "NotFoundError"))).toBeInstanceOf(UploadFailedError);
    const other = new DOMException("x", "QuotaExceededError");
    expect(unreadableFileError("a", other)).toBe(other);
    const plain = new Error("boom");
    expect(unreadableFileError("a", plain)).toBe(plain);
  });
});
