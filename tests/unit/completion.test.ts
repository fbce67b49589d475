import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { PartView, UploadView } from "~/shared/uploads";
import { ApiError } from "~/upload/api";
import { checkIntegrity, completeRound, mismatchedParts } from "~/upload/completion";
import { UploadFailedError } from "~/upload/errors";

const server = (partNumber: number, checksumSha256: string | null): PartView => ({
  partNumber,
  size: 5,
  etag: `"e${partNumber}"`,
  checksumSha256,
});
const local = async (n: number) => `local-${n}`;
const completed = { id: "up-1", checksumSha256: "composite-2" } as UploadView;

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
    const digests = [Buffer.from("a"), Buffer.from("b")].map(
      (b) => new Uint8Array(createHash("sha256").update(b).digest()),
    );
    const composite = `${createHash("sha256").update(Buffer.concat(digests)).digest("base64")}-2`;
    await expect(checkIntegrity({ ...completed, checksumSha256: composite }, digests)).resolves.toBeUndefined();
    await expect(checkIntegrity({ ...completed, checksumSha256: null }, digests)).rejects.toMatchObject({
      message: `Integrity check failed: storage reports no checksum, this file hashes to ${composite}.`,
      gone: false,
    });
  });
});
