import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { fullObjectCrc } from "../../app/shared/crc/combine.js";
import { Crc } from "../../app/shared/crc/crc.js";
import { errors } from "./errors.js";

export const CHECKSUM_ALGORITHMS = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** Checksums by algorithm, each base64 as S3 transports them. */
export type Checksums = Partial<Record<ChecksumAlgorithm, string>>;

/** How a multipart object's checksum is made: from the part checksums (COMPOSITE) or of all its bytes (FULL_OBJECT). */
export type ChecksumType = "COMPOSITE" | "FULL_OBJECT";

/** The algorithms whose checksum of a whole object can be derived from its parts' (CRC combination). */
const FULL_OBJECT_ALGORITHMS: readonly ChecksumAlgorithm[] = ["CRC32", "CRC32C", "CRC64NVME"];

const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

export interface Hasher {
  update(data: Uint8Array): void;
  digest(): Promise<Buffer>;
}

function nodeHash(name: string): Hasher {
  const hash = createHash(name);
  return {
    update: (data) => void hash.update(data),
    digest: async () => hash.digest(),
  };
}

/** CRC32 with zlib's native code (Node's zlib.crc32 continues a finished CRC). */
function zlibCrc32(): Hasher {
  let value = 0;
  return {
    update: (data) => void (value = crc32(data, value)),
    digest: async () => {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(value >>> 0);
      return out;
    },
  };
}

/** CRC32C and CRC64NVME with the app's WASM CRC (the SDK's are pure JS, 5× slower). */
function fastCrc(algorithm: "CRC32C" | "CRC64NVME"): Hasher {
  const crc = new Crc(algorithm);
  return {
    update: (data) => void crc.update(data),
    digest: async () => Buffer.from(crc.base64(), "base64"),
  };
}

export function createHasher(algorithm: ChecksumAlgorithm | "MD5"): Hasher {
  switch (algorithm) {
    case "MD5":
      return nodeHash("md5");
    case "SHA1":
      return nodeHash("sha1");
    case "SHA256":
      return nodeHash("sha256");
    case "CRC32":
      return zlibCrc32();
    case "CRC32C":
    case "CRC64NVME":
      return fastCrc(algorithm);
  }
}

export function headerName(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

export function xmlName(algorithm: ChecksumAlgorithm): string {
  return `Checksum${algorithm}`;
}

export function parseAlgorithm(value: string | undefined, argumentName: string): ChecksumAlgorithm | undefined {
  if (value === undefined || value === "") return undefined;
  const upper = value.toUpperCase();
  if ((CHECKSUM_ALGORITHMS as readonly string[]).includes(upper)) return upper as ChecksumAlgorithm;
  throw errors.invalidArgument(`Checksum algorithm ${value} is not supported.`, argumentName, value);
}

/** Validates that a client-sent checksum is well-formed base64 of the algorithm's digest size. */
export function assertChecksumFormat(algorithm: ChecksumAlgorithm, value: string): void {
  const bytes = Buffer.from(value, "base64");
  if (bytes.length !== DIGEST_BYTES[algorithm] || bytes.toString("base64") !== value) {
    throw errors.invalidRequest(`Value for ${headerName(algorithm)} header is invalid.`);
  }
}

/** Validates a composite checksum as S3 writes it, "<base64 digest>-<part count>", for its form. */
export function assertCompositeFormat(algorithm: ChecksumAlgorithm, value: string): void {
  const match = value.match(/^([^-]+)-([1-9]\d{0,4})$/);
  const digest = match ? Buffer.from(match[1]!, "base64") : undefined;
  if (!digest || digest.length !== DIGEST_BYTES[algorithm] || digest.toString("base64") !== match![1]) {
    throw errors.invalidRequest(
      `Value for ${headerName(algorithm)} header is invalid: a multipart upload's checksum is "<base64>-<parts>".`,
    );
  }
}

/** Validates an object checksum a Complete states: composite ("<base64>-<parts>") or full-object ("<base64>"). */
export function assertObjectChecksumFormat(algorithm: ChecksumAlgorithm, value: string): void {
  if (value.includes("-")) assertCompositeFormat(algorithm, value);
  else assertChecksumFormat(algorithm, value);
}

/** Checksum-of-checksums for a multipart object, as S3 reports it: "<base64>-<partCount>". */
export async function compositeChecksum(algorithm: ChecksumAlgorithm, partChecksums: string[]): Promise<string> {
  const hasher = createHasher(algorithm);
  for (const part of partChecksums) hasher.update(Buffer.from(part, "base64"));
  return `${(await hasher.digest()).toString("base64")}-${partChecksums.length}`;
}

/**
 * The checksum type of a new multipart upload, from x-amz-checksum-type, as S3 allows them: CRC32 and
 * CRC32C either (COMPOSITE unless asked), CRC64NVME only FULL_OBJECT (its default), SHA-1 and SHA-256
 * only COMPOSITE.
 */
export function uploadChecksumType(
  algorithm: ChecksumAlgorithm | undefined,
  asked: string | undefined,
): ChecksumType | undefined {
  const type = asked?.toUpperCase();
  if (type !== undefined && type !== "COMPOSITE" && type !== "FULL_OBJECT") {
    throw errors.invalidRequest(`Value for x-amz-checksum-type header is invalid: ${asked}.`);
  }
  if (algorithm === undefined) {
    if (type !== undefined)
      throw errors.invalidRequest(
        "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.",
      );
    return undefined;
  }
  const fullObjectAllowed = FULL_OBJECT_ALGORITHMS.includes(algorithm);
  if (algorithm === "CRC64NVME" && type === "COMPOSITE")
    throw errors.invalidRequest("The CRC64NVME checksum algorithm supports only the FULL_OBJECT checksum type.");
  if (!fullObjectAllowed && type === "FULL_OBJECT")
    throw errors.invalidRequest(`The ${algorithm} checksum algorithm supports only the COMPOSITE checksum type.`);
  return type ?? (algorithm === "CRC64NVME" ? "FULL_OBJECT" : "COMPOSITE");
}

/** The object's checksum of a FULL_OBJECT upload, "<base64>" of all its bytes, combined from its parts' CRCs. */
export function fullObjectChecksum(
  algorithm: ChecksumAlgorithm,
  parts: ReadonlyArray<{ checksum: string; size: number }>,
): string {
  if (algorithm !== "CRC32" && algorithm !== "CRC32C" && algorithm !== "CRC64NVME")
    throw new Error(`${algorithm} has no full-object checksum`);
  const value = fullObjectCrc(algorithm, parts);
  if (value === undefined) throw new Error(`a part lacks a valid ${algorithm} checksum`);
  return value;
}

/** Multipart ETag: MD5 of the concatenated binary part MD5s, then "-<count>". */
export function multipartEtag(partEtags: string[]): string {
  const hash = createHash("md5");
  for (const etag of partEtags) hash.update(Buffer.from(etag.replace(/"/g, ""), "hex"));
  return `"${hash.digest("hex")}-${partEtags.length}"`;
}
