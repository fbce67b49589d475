import { createHash } from "node:crypto";
import { Crc32c, Crc64Nvme } from "@aws-sdk/checksums/crc";
import { describe, expect, it } from "vitest";
import { CHECKSUM_MODE } from "~/shared/checksum-mode";
import { expectedObjectChecksum, mainThreadHasher, readSlice } from "~/upload/hash";

function pattern(length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 1) bytes[i] = (i * 131 + (i >> 9)) & 0xff;
  return bytes;
}

async function sdk(algorithm: "CRC32C" | "CRC64NVME", bytes: Uint8Array) {
  const crc = algorithm === "CRC32C" ? new Crc32c() : new Crc64Nvme();
  crc.update(bytes);
  return Buffer.from(await crc.digest()).toString("base64");
}
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("base64");

describe("part checksums on the main thread", () => {
  const bytes = pattern(3 * 1024 * 1024 + 13);
  const blob = new Blob([bytes]);

  it("streams a slice through one reused buffer", async () => {
    const buffer = new ArrayBuffer(256 * 1024);
    const seen: number[] = [];
    const returned = await readSlice(blob.slice(5, 1_000_005), (chunk) => void seen.push(chunk.length), buffer);
    expect(seen.reduce((a, b) => a + b, 0)).toBe(1_000_000);
    // Each read fills at most the one buffer, which is handed back for the next slice.
    expect(Math.max(...seen)).toBeLessThanOrEqual(256 * 1024);
    expect(returned?.byteLength).toBe(256 * 1024);
    expect(buffer.byteLength).toBe(0); // transferred into the reader, not copied
  });

  it.each(["CRC64NVME", "CRC32C"] as const)("computes %s as the AWS SDK does", async (algorithm) => {
    expect(await mainThreadHasher(blob.slice(7, 2_500_007), algorithm)).toBe(
      await sdk(algorithm, bytes.subarray(7, 2_500_007)),
    );
  });

  it("computes SHA-256 with Web Crypto", async () => {
    expect(await mainThreadHasher(blob, "SHA256")).toBe(sha256(bytes));
  });
});

describe("the object's expected checksum", () => {
  const parts = [pattern(1000), pattern(2000).reverse(), pattern(10)];
  const whole = Buffer.concat(parts);

  it("FULL_OBJECT CRC64NVME: the CRC of all the bytes, from the parts' CRCs and sizes", async () => {
    const described = await Promise.all(
      parts.map(async (p) => ({ checksum: await sdk("CRC64NVME", p), size: p.length })),
    );
    expect(await expectedObjectChecksum(CHECKSUM_MODE.crc64nvme, described)).toBe(await sdk("CRC64NVME", whole));
  });

  it("COMPOSITE CRC32C and SHA-256: the checksum of the part digests, then -<parts>", async () => {
    const crcs = await Promise.all(parts.map(async (p) => ({ checksum: await sdk("CRC32C", p), size: p.length })));
    const joinedCrcs = Buffer.concat(crcs.map((c) => Buffer.from(c.checksum, "base64")));
    expect(await expectedObjectChecksum(CHECKSUM_MODE.crc32c, crcs)).toBe(`${await sdk("CRC32C", joinedCrcs)}-3`);
    const shas = parts.map((p) => ({ checksum: sha256(p), size: p.length }));
    const joinedShas = Buffer.concat(shas.map((c) => Buffer.from(c.checksum, "base64")));
    expect(await expectedObjectChecksum(CHECKSUM_MODE.sha256, shas)).toBe(`${sha256(joinedShas)}-3`);
  });
});
