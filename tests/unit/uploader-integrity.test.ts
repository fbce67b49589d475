import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CHECKSUM_MODE } from "~/shared/checksum-mode";
import { checksumOf } from "../support/checksums.js";
import { bytesOf, memoryHasher } from "../support/fake-upload-backend.js";
import { MiB, failedAttempts, fileOf, harness, settle } from "../support/uploader-harness.js";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
});
afterEach(() => vi.useRealTimers());

describe("integrity, in every checksum mode", () => {
  it.each(["crc64nvme", "crc32c"] as const)(
    "%s: signs each part with its checksum and checks the object's against the file's",
    async (mode) => {
      const { file, bytes } = fileOf(11 * MiB + 7);
      const h = harness(file, (b) => (b.checksumMode = CHECKSUM_MODE[mode]));
      const state = await settle(h);
      expect(state.phase).toBe("done");
      const { algorithm, type } = CHECKSUM_MODE[mode];
      expect(state.result?.checksumMode).toEqual({ algorithm, type });
      expect(state.checksumMode).toEqual({ algorithm, type });
      if (type === "FULL_OBJECT") expect(state.result?.objectChecksum).toBe(await checksumOf(algorithm, bytes));
      else expect(state.result?.objectChecksum).toMatch(/-3$/);
    },
  );

  it("a part whose bytes change between hashing and sending is refused by storage, hashed again and re-sent", async () => {
    const { file, bytes } = fileOf(11 * MiB);
    let changed = false;
    const h = harness(file, (b) => (b.checksumMode = CHECKSUM_MODE.crc64nvme), {
      hasher: async (blob, algorithm) => {
        const checksum = await memoryHasher(blob, algorithm);
        // Part 2 (the slice at 5 MiB) has just been hashed: its bytes change on disk before it is sent.
        if (!changed && bytesOf(blob).byteOffset - bytes.byteOffset === 5 * MiB) {
          bytes[5 * MiB + 100] = bytes[5 * MiB + 100]! ^ 0xff;
          changed = true;
        }
        return checksum;
      },
    });
    const state = await settle(h);
    expect(changed).toBe(true);
    expect(state.phase).toBe("done");
    // Storage refused the first PUT of part 2 (BadDigest); it was hashed again from the new bytes and sent again.
    expect(h.backend.calls.transport.filter((n) => n === 2)).toHaveLength(2);
    expect(failedAttempts(state).map((a) => [a.part, a.reason, a.category])).toEqual([
      [2, "bytes changed in transit", "checksum"],
    ]);
    expect(state.result?.objectChecksum).toBe(await checksumOf("CRC64NVME", bytes));
  });

  it("fails when the object storage reports is not the file's checksum", async () => {
    const { file } = fileOf(6 * MiB);
    const h = harness(file, (b) => {
      b.checksumMode = CHECKSUM_MODE.crc64nvme;
      const complete = b.api.complete;
      b.api.complete = async (id) => ({ ...(await complete(id)), objectChecksum: "AAAAAAAAAAA=" });
    });
    const state = await settle(h);
    expect(state.phase).toBe("failed");
    expect(state.error).toMatch(/^Integrity check failed: storage reports AAAAAAAAAAA=, this file's CRC64NVME is /);
  });
});
