import { normalizeEtag } from "./conditions.js";
import { errors } from "./errors.js";
import {
  CHECKSUM_ALGORITHMS,
  assertChecksumFormat,
  assertCompositeFormat,
  compositeChecksum,
  fullObjectChecksum,
  headerName,
  multipartEtag,
  xmlName,
  type ChecksumAlgorithm,
  type Checksums,
  type ChecksumType,
} from "./checksums.js";
import type {
  CompletedDescription,
  CompletedPartRef,
  CompletedUpload,
  PartMeta,
  StoredUpload,
  UploadMeta,
} from "./records.js";

/** The upload's checksum type (uploads recorded before FULL_OBJECT existed here are COMPOSITE). */
export function checksumTypeOf(meta: UploadMeta): ChecksumType | undefined {
  return meta.checksumAlgorithm ? (meta.checksumType ?? "COMPOSITE") : undefined;
}

export const MIN_PART_NUMBER = 1;
export const MAX_PART_NUMBER = 10_000;
export const DEFAULT_MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PART_SIZE = 5 * 1024 * 1024 * 1024;

export function parsePartNumber(value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !/^\d+$/.test(value) || n < MIN_PART_NUMBER || n > MAX_PART_NUMBER) {
    throw errors.invalidArgument(
      `Part number must be an integer between ${MIN_PART_NUMBER} and ${MAX_PART_NUMBER}, inclusive`,
      "partNumber",
      value,
    );
  }
  return n;
}

/**
 * Applies S3's CompleteMultipartUpload rules to the listed parts and returns the stored
 * parts to concatenate, in order.
 */
export function choosePartsToComplete(
  listed: CompletedPartRef[],
  upload: StoredUpload,
  minPartSize: number,
): PartMeta[] {
  if (listed.length === 0) throw errors.malformedXml();
  const algorithm = upload.meta.checksumAlgorithm;
  const chosen: PartMeta[] = [];
  for (const [index, ref] of listed.entries()) {
    if (!Number.isInteger(ref.partNumber) || ref.partNumber < MIN_PART_NUMBER || ref.partNumber > MAX_PART_NUMBER) {
      throw errors.invalidArgument(
        "Part number must be an integer between 1 and 10000, inclusive",
        "partNumber",
        String(ref.partNumber),
      );
    }
    if (index > 0 && ref.partNumber <= listed[index - 1]!.partNumber) throw errors.invalidPartOrder();
    const stored = upload.parts.get(ref.partNumber);
    if (!stored || normalizeEtag(stored.etag) !== normalizeEtag(ref.etag)) throw errors.invalidPart(ref.partNumber);
    if (algorithm) {
      const given = ref.checksums[algorithm];
      // A full-object upload's Complete may leave the part checksums out: the object's is checked instead.
      if (given === undefined && checksumTypeOf(upload.meta) === "FULL_OBJECT") {
        chosen.push(stored);
        continue;
      }
      if (given === undefined) {
        throw errors.invalidRequest(
          `The upload was created using a ${algorithm.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${ref.partNumber} in the request.`,
        );
      }
      if (given !== stored.checksums[algorithm]) throw errors.invalidPart(ref.partNumber);
    }
    chosen.push(stored);
  }
  for (const part of chosen.slice(0, -1)) {
    if (part.size < minPartSize) throw errors.entityTooSmall(part.partNumber, part.size, minPartSize);
  }
  return chosen;
}

/**
 * A Complete sent again after one succeeded must list the parts that one did, with their ETags (and checksums,
 * where it gives them); any other list is refused with InvalidPart, naming the first part that differs.
 */
export function confirmSameCompletion(listed: CompletedPartRef[], done: CompletedUpload): void {
  if (listed.length === 0) throw errors.malformedXml();
  for (let i = 0; i < Math.max(listed.length, done.parts.length); i += 1) {
    const ref = listed[i];
    const part = done.parts[i];
    const same =
      ref !== undefined &&
      part !== undefined &&
      ref.partNumber === part.partNumber &&
      normalizeEtag(ref.etag) === normalizeEtag(part.etag) &&
      Object.entries(ref.checksums).every(
        ([algorithm, value]) => part.checksums[algorithm as ChecksumAlgorithm] === value,
      );
    if (!same) throw errors.invalidPart((ref ?? part)!.partNumber);
  }
}

/**
 * The completed object's ETag and checksum, computed from its parts as S3 does: composite
 * ("<checksum of the part checksums>-<parts>") or full-object (the CRC of all its bytes, combined from
 * the parts' CRCs and sizes).
 */
export async function describeCompleted(parts: PartMeta[], meta: UploadMeta): Promise<CompletedDescription> {
  const algorithm = meta.checksumAlgorithm;
  const checksumType = checksumTypeOf(meta);
  const checksums: CompletedDescription["checksums"] = {};
  if (algorithm && checksumType === "FULL_OBJECT")
    checksums[algorithm] = fullObjectChecksum(
      algorithm,
      parts.map((p) => ({ checksum: p.checksums[algorithm]!, size: p.size })),
    );
  else if (algorithm)
    checksums[algorithm] = await compositeChecksum(
      algorithm,
      parts.map((p) => p.checksums[algorithm]!),
    );
  return {
    etag: multipartEtag(parts.map((p) => p.etag)),
    checksums,
    ...(checksumType ? { checksumType } : {}),
    partCount: parts.length,
  };
}

/**
 * A Complete's x-amz-checksum-type must be the upload's, and the object checksums it states must have
 * that type's form: "<base64>-<parts>" for COMPOSITE, "<base64>" for FULL_OBJECT.
 */
export function checkStatedMode(stated: Checksums, statedType: string | undefined, meta: UploadMeta): void {
  const type = checksumTypeOf(meta);
  if (statedType !== undefined && statedType.toUpperCase() !== type) {
    throw errors.invalidRequest(
      `The upload was created using the ${type ?? "no"} checksum mode. The complete request must use the same checksum mode.`,
    );
  }
  for (const [algorithm, value] of Object.entries(stated) as Array<[ChecksumAlgorithm, string]>) {
    if (type === "FULL_OBJECT") assertChecksumFormat(algorithm, value);
    else assertCompositeFormat(algorithm, value);
  }
}

/** Refuses a completion whose stated object checksums (x-amz-checksum-*) differ from those of its parts. */
export function checkStatedChecksums(stated: Checksums, completed: Pick<CompletedDescription, "checksums">): void {
  for (const [algorithm, value] of Object.entries(stated) as Array<[ChecksumAlgorithm, string]>) {
    const computed = completed.checksums[algorithm];
    if (computed === undefined) {
      throw errors.invalidRequest(
        `The upload was not created with the ${algorithm.toLowerCase()} checksum algorithm, so the complete request cannot state ${headerName(algorithm)}.`,
      );
    }
    if (computed !== value) throw errors.badDigest(headerName(algorithm));
  }
}

/** Reads the <Part> elements of a CompleteMultipartUpload body. */
export function parseCompletedParts(parts: Array<Record<string, unknown>>): CompletedPartRef[] {
  return parts.map((part) => {
    const checksums: CompletedPartRef["checksums"] = {};
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      const value = part[xmlName(algorithm)];
      if (typeof value === "string") checksums[algorithm] = value;
    }
    const partNumber = Number(part.PartNumber);
    if (typeof part.ETag !== "string" || !Number.isFinite(partNumber)) throw errors.malformedXml();
    return { partNumber, etag: part.ETag, checksums };
  });
}
