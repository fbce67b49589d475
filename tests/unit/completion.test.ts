import { createHash } from "node:crypto";
import { Crc64Nvme } from "@aws-sdk/checksums/crc";
import { describe, expect, it } from "vitest";
import type { PartView, UploadView } from "~/shared/uploads";
import { ApiError } from "~/upload/api";
import { checkIntegrity, completeRound, mismatchedParts } from "~/upload/completion";
import { UploadFailedError } from "~/upload/errors";

const server = (partNumber: number, checksum: string | null): PartView => ({
  partNumber,
  size: 5,
  etag: `"e${partNumber}"`,
  checksum,
});
const local = async (n: number) => `local-${n}`;
const completed = {
  id: "up-1",
  checksumMode: { algorithm: "SHA256", type: "COMPOSITE" },
  objectChecksum: "composite-2",
} as UploadView;

describe("completion", () => {
  it("finds resumed parts whose checksum differs from this file's, after hashing every part", async () => {
    const asked: number[] = [];
    const mismatched = await mismatchedParts(
      [1, 2, 3, 4],
      [server(1, "local-1"), server(2, "other"), server(3, null)],
      async (n) => {
        asked.push(n);
        return local(n);
      },
    );
    expect(mismatched).toEqual([2]);
    expect(asked).toEqual([1, 2, 3, 4]);
  });

  it("does not complete while a resumed part has other bytes", async () => {
    let completes = 0;
    const round = await completeRound({
      partNumbers: [1, 2],
      resumedParts: [server(2, "other")],
      localChecksum: local,
      complete: async () => {
        completes += 1;
        return completed;
      },
    });
    expect(round).toEqual({ outcome: "mismatched", parts: [2] });
    expect(completes).toBe(0);
  });

  it("completes when every part checks out", async () => {
    const round = await completeRound({
      partNumbers: [1, 2],
      resumedParts: [server(1, "local-1")],
      localChecksum: local,
      complete: async () => completed,
    });
    expect(round).toEqual({ outcome: "completed", upload: completed });
  });

  it("names the parts storage lacks or has at the wrong size", async () => {
    const round = await completeRound({
      partNumbers: [1, 2, 3],
      resumedParts: [],
      localChecksum: local,
      complete: async () => {
        throw new ApiError(409, "parts_missing", "missing", { missing: [3], wrongSize: [1] });
      },
    });
    expect(round).toEqual({ outcome: "missing", parts: [3, 1] });
  });

  it.each([409, 422])("treats any other %i as the end of the upload", async (status) => {
    const failure = await completeRound({
      partNumbers: [1],
      resumedParts: [],
      localChecksum: local,
      complete: async () => {
        throw new ApiError(status, "conflict", "This upload was already completed or aborted.");
      },
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UploadFailedError);
    expect(failure).toMatchObject({ message: "This upload was already completed or aborted.", gone: true });
  });

  it("passes other errors on", async () => {
    const refusal = new ApiError(503, "unavailable", "try later");
    const failure = await completeRound({
      partNumbers: [1],
      resumedParts: [],
      localChecksum: local,
      complete: async () => {
        throw refusal;
      },
    }).catch((e: unknown) => e);
    expect(failure).toBe(refusal);
  });

  it("checks storage's composite checksum against the part digests", async () => {
    const digests = [Buffer.from("a"), Buffer.from("b")].map((b) => createHash("sha256").update(b).digest());
    const parts = digests.map((d) => ({ checksum: d.toString("base64"), size: 1 }));
    const composite = `${createHash("sha256").update(Buffer.concat(digests)).digest("base64")}-2`;
    await expect(checkIntegrity({ ...completed, objectChecksum: composite }, parts)).resolves.toBeUndefined();
    await expect(checkIntegrity({ ...completed, objectChecksum: null }, parts)).rejects.toMatchObject({
      message: `Integrity check failed: storage reports no checksum, this file's SHA256 is ${composite}.`,
      gone: false,
    });
  });

  it("checks storage's full-object CRC64NVME against the one this file's parts combine to", async () => {
    const bodies = [Buffer.alloc(1000, 1), Buffer.alloc(333, 2)];
    const crcOf = async (b: Buffer) => {
      const crc = new Crc64Nvme();
      crc.update(b);
      return Buffer.from(await crc.digest()).toString("base64");
    };
    const parts = await Promise.all(bodies.map(async (b) => ({ checksum: await crcOf(b), size: b.length })));
    const whole = await crcOf(Buffer.concat(bodies));
    const fullObject = { ...completed, checksumMode: { algorithm: "CRC64NVME", type: "FULL_OBJECT" } } as UploadView;
    await expect(checkIntegrity({ ...fullObject, objectChecksum: whole }, parts)).resolves.toBeUndefined();
    // Storage assembled other bytes (here: the parts swapped): the same part CRCs, another object CRC.
    const swapped = await crcOf(Buffer.concat([bodies[1]!, bodies[0]!]));
    await expect(checkIntegrity({ ...fullObject, objectChecksum: swapped }, parts)).rejects.toMatchObject({
      message: `Integrity check failed: storage reports ${swapped}, this file's CRC64NVME is ${whole}.`,
    });
  });
});
