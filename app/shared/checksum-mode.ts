/**
 * How an upload's bytes are checked: the algorithm of each part's checksum (signed into its URL, so S3
 * refuses other bytes) and how the object's checksum is made of them. Chosen by the operator
 * (UPLOAD_CHECKSUM), kept with each upload, shared by the server and the browser's uploader.
 */
export const CHECKSUM_MODES = ["crc64nvme", "crc32c", "sha256"] as const;
export type ChecksumModeName = (typeof CHECKSUM_MODES)[number];

export const PART_CHECKSUM_ALGORITHMS = ["CRC64NVME", "CRC32C", "SHA256"] as const;
export type PartChecksumAlgorithm = (typeof PART_CHECKSUM_ALGORITHMS)[number];

/** FULL_OBJECT: the object's checksum is that of all its bytes; COMPOSITE: a checksum of the part checksums, "-<parts>". */
export type ChecksumType = "FULL_OBJECT" | "COMPOSITE";

export interface ChecksumMode {
  algorithm: PartChecksumAlgorithm;
  type: ChecksumType;
}

export const CHECKSUM_MODE: Record<ChecksumModeName, ChecksumMode> = {
  // S3's default and recommended algorithm; FULL_OBJECT is the only type it has.
  crc64nvme: { algorithm: "CRC64NVME", type: "FULL_OBJECT" },
  // Composite: what S3-compatible stores without CRC64NVME or FULL_OBJECT support.
  crc32c: { algorithm: "CRC32C", type: "COMPOSITE" },
  sha256: { algorithm: "SHA256", type: "COMPOSITE" },
};

/** The name (as UPLOAD_CHECKSUM spells it) of an upload's mode. */
export function checksumModeName(mode: ChecksumMode): ChecksumModeName {
  const name = CHECKSUM_MODES.find(
    (n) => CHECKSUM_MODE[n].algorithm === mode.algorithm && CHECKSUM_MODE[n].type === mode.type,
  );
  if (!name) throw new Error(`no checksum mode is ${mode.algorithm} ${mode.type}`);
  return name;
}

/** A part's checksum as the API carries it. */
export interface PartChecksum {
  algorithm: PartChecksumAlgorithm;
  /** base64 of the digest, as S3's x-amz-checksum-* headers carry it. */
  value: string;
}

/** Bytes of each algorithm's digest. */
export const DIGEST_BYTES: Record<PartChecksumAlgorithm, number> = { CRC64NVME: 8, CRC32C: 4, SHA256: 32 };

/** The header a part's checksum travels in. */
export const checksumHeaderName = (algorithm: PartChecksumAlgorithm): string =>
  `x-amz-checksum-${algorithm.toLowerCase()}`;
