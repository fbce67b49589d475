/** The upload API's request bodies: strict, so a field the API does not take is refused, never ignored. */
import { z } from "zod";
import { S3_LIMITS } from "../../app/shared/plan.js";

const base64Sha256 = z
  .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a base64 SHA-256 digest") })
  .regex(/^[A-Za-z0-9+/]{43}=$/, "must be a base64 SHA-256 digest");
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
});

export type CreateUploadInput = z.infer<typeof createUploadSchema>;

/**
 * The checksum every part must be signed with, so its URL takes only those bytes: the one place that
 * says which. Today the only mode is SHA-256; another mode is another entry chosen here.
 */
const partChecksum = { checksumSha256: base64Sha256 };

export const signPartsSchema = z.strictObject({
  parts: z
    .array(z.strictObject({ partNumber, ...partChecksum }))
    .min(1, "ask for at least one part")
    .max(100, "ask for at most 100 parts per call"),
});

export type SignPartsInput = z.infer<typeof signPartsSchema>;

export const recordPartSchema = z.strictObject({
  etag: z.string().min(1, "is required").max(200),
  checksumSha256: base64Sha256.optional(),
});

export type RecordPartInput = z.infer<typeof recordPartSchema>;

/** A part number as it stands in the URL: digits only ("1e1" is not part 10), 1..10000. */
export const partNumberParam = z.string().regex(/^\d+$/).transform(Number).pipe(partNumber);
