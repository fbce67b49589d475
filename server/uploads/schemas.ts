/** The upload API's request bodies: strict, so a field the API does not take is refused, never ignored. */
import { z } from "zod";
import { DIGEST_BYTES, PART_CHECKSUM_ALGORITHMS } from "../../app/shared/checksum-mode.js";
import { S3_LIMITS } from "../../app/shared/plan.js";

/** Whether `value` is canonical base64 of exactly `bytes` bytes. */
function isBase64Of(value: string, bytes: number): boolean {
  const decoded = Buffer.from(value, "base64");
  return decoded.length === bytes && decoded.toString("base64") === value;
}

/**
 * A part's checksum: its algorithm (one S3 supports per part) and its base64 digest of that
 * algorithm's size. Whether the algorithm is the upload's is the service's check.
 */
const partChecksum = z
  .strictObject({
    algorithm: z.enum(PART_CHECKSUM_ALGORITHMS, {
      error: `must be one of ${PART_CHECKSUM_ALGORITHMS.join(", ")}`,
    }),
    value: z.string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") }).max(64),
  })
  .superRefine((checksum, ctx) => {
    if (!isBase64Of(checksum.value, DIGEST_BYTES[checksum.algorithm])) {
      ctx.addIssue({
        code: "custom",
        path: ["value"],
        message: `must be a base64 ${checksum.algorithm} checksum (${DIGEST_BYTES[checksum.algorithm]} bytes)`,
      });
    }
  });
const partNumber = z
  .number()
  .int("must be a whole number")
  .min(1, "must be at least 1")
  .max(S3_LIMITS.maxParts, `must be at most ${S3_LIMITS.maxParts}`);

export const createUploadSchema = z.strictObject({
  fileName: z.string().trim().min(1, "is required").max(1024),
  size: z.number().int("must be a whole number of bytes").positive("must be at least 1 byte"),
  contentType: z.string().trim().min(1, "is required").max(255),
  lastModified: z.number().int().nonnegative(),
  fingerprint: z.string().min(1, "is required").max(1024),
  purpose: z.enum(["media", "poster"]).default("media"),
});

export type CreateUploadInput = z.infer<typeof createUploadSchema>;

/** Every part is signed with its checksum, so its URL takes only those bytes. */
export const signPartsSchema = z.strictObject({
  parts: z
    .array(z.strictObject({ partNumber, checksum: partChecksum }))
    .min(1, "ask for at least one part")
    .max(100, "ask for at most 100 parts per call"),
});

export type SignPartsInput = z.infer<typeof signPartsSchema>;

export const recordPartSchema = z.strictObject({
  etag: z.string().min(1, "is required").max(200),
  checksum: partChecksum.optional(),
});

export type RecordPartInput = z.infer<typeof recordPartSchema>;

export const recordPartsSchema = z.strictObject({
  parts: z
    .array(recordPartSchema.extend({ partNumber }))
    .min(1, "record at least one part")
    .max(100, "record at most 100 parts per call"),
});

export type RecordPartsInput = z.infer<typeof recordPartsSchema>;

/** A part number as it stands in the URL: digits only ("1e1" is not part 10), 1..10000. */
export const partNumberParam = z.string().regex(/^\d+$/).transform(Number).pipe(partNumber);
