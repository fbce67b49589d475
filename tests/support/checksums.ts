import { createHash } from "node:crypto";
import { Crc32c, Crc64Nvme } from "@aws-sdk/checksums/crc";
import type { PartChecksum, PartChecksumAlgorithm } from "~/shared/checksum-mode";

/** A checksum (base64) by implementations other than the app's: node:crypto and @aws-sdk/checksums. */
export async function checksumOf(algorithm: PartChecksumAlgorithm, bytes: Uint8Array): Promise<string> {
  if (algorithm === "SHA256") return createHash("sha256").update(bytes).digest("base64");
  const crc = algorithm === "CRC32C" ? new Crc32c() : new Crc64Nvme();
  crc.update(bytes);
  return Buffer.from(await crc.digest()).toString("base64");
}

/** A part's checksum as the upload API takes it. */
export async function partChecksum(algorithm: PartChecksumAlgorithm, bytes: Uint8Array): Promise<PartChecksum> {
  return { algorithm, value: await checksumOf(algorithm, bytes) };
}
