/** S3's documented multipart limits. */
export const S3_LIMITS = {
  minPartSize: 5 * 1024 * 1024,
  maxPartSize: 5 * 1024 * 1024 * 1024,
  maxParts: 10_000,
  maxObjectSize: 5 * 1024 * 1024 * 1024 * 1024,
} as const;

const MiB = 1024 * 1024;

export interface PartPlan {
  fileSize: number;
  partSize: number;
  partCount: number;
}

export interface PartRange {
  partNumber: number;
  /** First byte, inclusive. */
  start: number;
  /** Last byte, exclusive. */
  end: number;
  size: number;
}

/**
 * Splits a file into multipart parts. The part size is the operator's preference clamped to S3's
 * limits, raised (in whole MiB) when the file would otherwise need more than 10,000 parts; the last
 * part may be smaller. Used by the server to plan and by the browser to slice, so both agree.
 */
export function planParts(fileSize: number, preferredPartSize: number): PartPlan {
  if (!Number.isSafeInteger(fileSize) || fileSize < 1) throw new RangeError("The file must be at least 1 byte.");
  if (fileSize > S3_LIMITS.maxObjectSize) throw new RangeError("The file is larger than S3's 5 TiB object limit.");
  if (!Number.isSafeInteger(preferredPartSize) || preferredPartSize < 1)
    throw new RangeError("The part size must be a positive integer.");
  let partSize = Math.min(Math.max(preferredPartSize, S3_LIMITS.minPartSize), S3_LIMITS.maxPartSize);
  if (Math.ceil(fileSize / partSize) > S3_LIMITS.maxParts) {
    partSize = Math.ceil(fileSize / S3_LIMITS.maxParts / MiB) * MiB;
  }
  return { fileSize, partSize, partCount: Math.ceil(fileSize / partSize) };
}

export function partRange(plan: PartPlan, partNumber: number): PartRange {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > plan.partCount) {
    throw new RangeError(`Part ${partNumber} is not in this plan (1..${plan.partCount}).`);
  }
  const start = (partNumber - 1) * plan.partSize;
  const end = Math.min(start + plan.partSize, plan.fileSize);
  return { partNumber, start, end, size: end - start };
}
