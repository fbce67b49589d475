/**
 * The CRCs S3 uses for object integrity, all reflected with an all-ones initial value and final XOR:
 * CRC32 (zlib's), CRC32C (Castagnoli) and CRC64NVME (S3's default). Registers are bigint so that one
 * code path serves the 32- and 64-bit ones; only whole-chunk boundaries cross it, never single bytes.
 */
export const CRC_ALGORITHMS = ["CRC32", "CRC32C", "CRC64NVME"] as const;
export type CrcAlgorithm = (typeof CRC_ALGORITHMS)[number];

export interface CrcParams {
  width: 32 | 64;
  /** The polynomial in reflected (LSB-first) form. */
  poly: bigint;
}

export const CRC_PARAMS: Record<CrcAlgorithm, CrcParams> = {
  CRC32: { width: 32, poly: 0xedb88320n },
  CRC32C: { width: 32, poly: 0x82f63b78n },
  CRC64NVME: { width: 64, poly: 0x9a6c9329ac4bc9b5n },
};

export const allOnes = (width: number): bigint => (1n << BigInt(width)) - 1n;

/**
 * Slice-by-`slices` lookup tables: table 0 is the classic byte table, table k advances table k-1's
 * entry by one more zero byte, so `slices` bytes are folded in with one lookup each.
 */
export function sliceTables(algorithm: CrcAlgorithm, slices: number): bigint[][] {
  const { poly } = CRC_PARAMS[algorithm];
  const first: bigint[] = [];
  for (let i = 0; i < 256; i += 1) {
    let c = BigInt(i);
    for (let k = 0; k < 8; k += 1) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n;
    first.push(c);
  }
  const tables = [first];
  for (let k = 1; k < slices; k += 1) {
    const previous = tables[k - 1]!;
    tables.push(previous.map((p) => (p >> 8n) ^ first[Number(p & 0xffn)]!));
  }
  return tables;
}

/** A finished CRC as S3 transports it: its big-endian bytes in base64. */
export function crcToBase64(algorithm: CrcAlgorithm, crc: bigint): string {
  const bytes = CRC_PARAMS[algorithm].width / 8;
  let binary = "";
  for (let i = bytes - 1; i >= 0; i -= 1) binary += String.fromCharCode(Number((crc >> BigInt(i * 8)) & 0xffn));
  return btoa(binary);
}

/** The CRC in a base64 checksum, or undefined when it is not one of `algorithm`'s size. */
export function crcFromBase64(algorithm: CrcAlgorithm, value: string): bigint | undefined {
  let binary: string;
  try {
    binary = atob(value);
  } catch {
    return undefined;
  }
  if (binary.length !== CRC_PARAMS[algorithm].width / 8 || btoa(binary) !== value) return undefined;
  let crc = 0n;
  for (let i = 0; i < binary.length; i += 1) crc = (crc << 8n) | BigInt(binary.charCodeAt(i));
  return crc;
}
