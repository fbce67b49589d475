import { CRC_PARAMS, crcFromBase64, crcToBase64, type CrcAlgorithm } from "./params";

/*
 * CRC combination as zlib's crc32_combine does it: the CRC of A followed by B is
 * crc(A) · x^(8·len(B)) mod P, XOR crc(B), where the product is a carry-less multiplication modulo the
 * polynomial in reflected form. It works for any of these CRCs (the all-ones initial value and final
 * XOR cancel out), and lets a whole object's checksum be derived from its parts' checksums and sizes.
 */

/** a · b modulo the polynomial, both reflected (the top bit is x^0). */
function multiplyModP(a: bigint, b: bigint, width: number, poly: bigint): bigint {
  let m = 1n << BigInt(width - 1);
  let product = 0n;
  while (m !== 0n) {
    if (a & m) product ^= b;
    m >>= 1n;
    b = b & 1n ? (b >> 1n) ^ poly : b >> 1n;
  }
  return product;
}

const powerTables = new Map<CrcAlgorithm, bigint[]>();

/** x^(2^k) mod P for k = 0..63, reflected. */
function powersOfTwo(algorithm: CrcAlgorithm): bigint[] {
  const known = powerTables.get(algorithm);
  if (known) return known;
  const { width, poly } = CRC_PARAMS[algorithm];
  const table: bigint[] = [];
  let p = 1n << BigInt(width - 2); // x^1
  for (let k = 0; k < 64; k += 1) {
    table.push(p);
    p = multiplyModP(p, p, width, poly);
  }
  powerTables.set(algorithm, table);
  return table;
}

/** x^(8·bytes) mod P: what a CRC is multiplied by to move it past `bytes` bytes. */
export function shiftOperator(algorithm: CrcAlgorithm, bytes: number): bigint {
  const { width, poly } = CRC_PARAMS[algorithm];
  const powers = powersOfTwo(algorithm);
  let p = 1n << BigInt(width - 1); // x^0
  let n = BigInt(bytes);
  for (let k = 3; n !== 0n; k += 1, n >>= 1n) if (n & 1n) p = multiplyModP(powers[k]!, p, width, poly);
  return p;
}

/** The CRC of A followed by B from crc(A), crc(B) and B's length. */
export function crcCombine(algorithm: CrcAlgorithm, crcA: bigint, crcB: bigint, bytesB: number): bigint {
  const { width, poly } = CRC_PARAMS[algorithm];
  return multiplyModP(shiftOperator(algorithm, bytesB), crcA, width, poly) ^ crcB;
}

/**
 * The whole object's CRC (base64, as S3's FULL_OBJECT checksum) from its parts' CRCs (base64) and
 * sizes, in order; undefined if a part's checksum is not one of `algorithm`. Parts of the same size
 * share one shift operator, so 10,000 parts cost 10,000 multiplications.
 */
export function fullObjectCrc(
  algorithm: CrcAlgorithm,
  parts: ReadonlyArray<{ checksum: string; size: number }>,
): string | undefined {
  const { width, poly } = CRC_PARAMS[algorithm];
  const operators = new Map<number, bigint>();
  let crc: bigint | undefined;
  for (const part of parts) {
    const partCrc = crcFromBase64(algorithm, part.checksum);
    if (partCrc === undefined) return undefined;
    if (crc === undefined) {
      crc = partCrc;
      continue;
    }
    let operator = operators.get(part.size);
    if (operator === undefined) operators.set(part.size, (operator = shiftOperator(algorithm, part.size)));
    crc = multiplyModP(operator, crc, width, poly) ^ partCrc;
  }
  return crc === undefined ? undefined : crcToBase64(algorithm, crc);
}
