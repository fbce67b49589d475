import { createHash } from "node:crypto";
import { Crc32, Crc32c, Crc64Nvme } from "@aws-sdk/checksums/crc";
import { errors } from "./errors.js";

export const CHECKSUM_ALGORITHMS = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** Checksums by algorithm, each base64 as S3 transports them. */
export type Checksums = Partial<Record<ChecksumAlgorithm, string>>;

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

function sdkChecksum(checksum: { update(d: Uint8Array): void; digest(): Promise<Uint8Array> }): Hasher {
  return {
    update: (data) => checksum.update(data),
    digest: async () => Buffer.from(await checksum.digest()),
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
      return sdkChecksum(new Crc32());
    case "CRC32C":
      return sdkChecksum(new Crc32c());
    case "CRC64NVME":
      return sdkChecksum(new Crc64Nvme());
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

/** Checksum-of-checksums for a multipart object, as S3 reports it: "<base64>-<partCount>". */
export async function compositeChecksum(algorithm: ChecksumAlgorithm, partChecksums: string[]): Promise<string> {
  const hasher = createHasher(algorithm);
  for (const part of partChecksums) hasher.update(Buffer.from(part, "base64"));
  return `${(await hasher.digest()).toString("base64")}-${partChecksums.length}`;
}

/** Multipart ETag: MD5 of the concatenated binary part MD5s, then "-<count>". */
export function multipartEtag(partEtags: string[]): string {
  const hash = createHash("md5");
  for (const etag of partEtags) hash.update(Buffer.from(etag.replace(/"/g, ""), "hex"));
  return `"${hash.digest("hex")}-${partEtags.length}"`;
}
