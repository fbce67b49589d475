import { Crc32, Crc32c, Crc64Nvme } from "@aws-sdk/checksums/crc";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crcCombine, fullObjectCrc } from "~/shared/crc/combine";
import { Crc, crcWasmModule, jsCrcEngine, wasmCrcEngine, type CrcEngine } from "~/shared/crc/crc";
import { CRC_ALGORITHMS, crcFromBase64, crcToBase64, type CrcAlgorithm } from "~/shared/crc/params";
import { crcWasmBytes } from "~/shared/crc/wasm-module";

const sdk: Record<CrcAlgorithm, () => { update(d: Uint8Array): void; digest(): Promise<Uint8Array> }> = {
  CRC32: () => new Crc32(),
  CRC32C: () => new Crc32c(),
  CRC64NVME: () => new Crc64Nvme(),
};

async function sdkBase64(algorithm: CrcAlgorithm, bytes: Uint8Array): Promise<string> {
  const checksum = sdk[algorithm]();
  checksum.update(bytes);
  return Buffer.from(await checksum.digest()).toString("base64");
}

function pattern(length: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i += 1) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

const engines: Array<[string, CrcEngine]> = [
  ["wasm", wasmCrcEngine()!],
  ["js", jsCrcEngine()],
];

describe("CRC", () => {
  it("builds a small WASM module that this runtime compiles", () => {
    expect(crcWasmBytes().length).toBeLessThan(2048);
    expect(crcWasmModule()).toBeInstanceOf(WebAssembly.Module);
    expect(wasmCrcEngine()?.kind).toBe("wasm");
  });

  describe.each(engines)("%s engine", (_, engine) => {
    it("matches the catalogue's check values for '123456789'", () => {
      const check = new TextEncoder().encode("123456789");
      expect(new Crc("CRC32", engine).update(check).digest()).toBe(0xcbf43926n);
      expect(new Crc("CRC32C", engine).update(check).digest()).toBe(0xe3069283n);
      expect(new Crc("CRC64NVME", engine).update(check).digest()).toBe(0xae8b14860a799888n);
    });

    it.each(CRC_ALGORITHMS)("%s agrees with @aws-sdk/checksums at every length and chunking", async (algorithm) => {
      // Lengths around the 16-byte blocks, and more than one 1 MiB window of WASM memory.
      for (const length of [0, 1, 15, 16, 17, 31, 1000, 1_048_576 + 7, 2_500_001]) {
        const bytes = pattern(length, length + 3);
        const whole = new Crc(algorithm, engine).update(bytes).base64();
        const chunked = new Crc(algorithm, engine);
        for (let i = 0; i < length; i += 65_539) chunked.update(bytes.subarray(i, i + 65_539));
        const expected = await sdkBase64(algorithm, bytes);
        expect(whole).toBe(expected);
        expect(chunked.base64()).toBe(expected);
      }
    });
  });

  it("a changed byte changes the checksum", () => {
    const bytes = pattern(100_000);
    const before = new Crc("CRC64NVME").update(bytes).base64();
    bytes[54_321] = bytes[54_321]! ^ 1;
    expect(new Crc("CRC64NVME").update(bytes).base64()).not.toBe(before);
  });
});

describe("CRC combination", () => {
  it.each(CRC_ALGORITHMS)("%s: crc(A+B) from crc(A), crc(B) and B's length", async (algorithm) => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), async (a, b) => {
        const joined = new Uint8Array([...a, ...b]);
        const combined = crcCombine(
          algorithm,
          new Crc(algorithm).update(a).digest(),
          new Crc(algorithm).update(b).digest(),
          b.length,
        );
        expect(crcToBase64(algorithm, combined)).toBe(await sdkBase64(algorithm, joined));
      }),
      { numRuns: 60 },
    );
  });

  it.each(CRC_ALGORITHMS)("%s: the whole object's checksum from its parts' (S3's FULL_OBJECT)", async (algorithm) => {
    const file = pattern(5 * 1_048_576 + 12_345, 7);
    const partSize = 1_048_576;
    const parts: Array<{ checksum: string; size: number }> = [];
    for (let start = 0; start < file.length; start += partSize) {
      const part = file.subarray(start, start + partSize);
      parts.push({ checksum: new Crc(algorithm).update(part).base64(), size: part.length });
    }
    expect(parts).toHaveLength(6);
    expect(fullObjectCrc(algorithm, parts)).toBe(await sdkBase64(algorithm, file));
    // One part's checksum wrong: the object's is another.
    const tampered = parts.map((p, i) => (i === 2 ? { ...p, checksum: parts[3]!.checksum } : p));
    expect(fullObjectCrc(algorithm, tampered)).not.toBe(await sdkBase64(algorithm, file));
  });

  it("refuses part checksums that are not of the algorithm", () => {
    expect(fullObjectCrc("CRC64NVME", [{ checksum: "AAAAAA==", size: 4 }])).toBeUndefined();
    expect(fullObjectCrc("CRC32C", [{ checksum: "not base64!", size: 4 }])).toBeUndefined();
    expect(fullObjectCrc("CRC32C", [])).toBeUndefined();
    expect(crcFromBase64("CRC32C", "AAAAAA==")).toBe(0n);
  });
});
