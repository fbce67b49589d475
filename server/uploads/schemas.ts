import { z } from "zod";
import { S3_LIMITS } from "../../app/shared/plan.js";

const base64Sha256 = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, "must be a base64 SHA-256 digest");
const partNumber = z
  .number()
  .int("must be a whole number")
  .min(1, "must be at least 1")
  .max(S3_LIMITS.maxParts, `must be at most ${S3_LIMITS.maxParts}`);

export const createUploadSchema = z.object({
  fileName: z.string().trim().min(1, "is required").max(1024),
  size: z.number().int("must be a whole number of bytes").positive("must be at least 1 byte"),
  contentType: z.string().trim().min(1, "is required").max(255),
  lastModified: z.number().int().nonnegative(),
  fingerprint: z.string().min(1, "is required").max(1024),
  purpose: z.enum(["media", "poster"]).default("media"),
});

export type CreateUploadInput = z.infer<typeof createUploadSchema>;

export const signPartsSchema = z.object({
  parts: z
    .array(z.object({ partNumber, checksumSha256: base64Sha256.optional() }))
    .min(1, "ask for at least one part")
    .max(100, "ask for at most 100 parts per call"),
});

export const recordPartSchema = z.object({
  etag: z.string().min(1, "is required").max(200),
  checksumSha256: base64Sha256.optional(),
});

/** A part number as it stands in the URL: digits only ("1e1" is not part 10), 1..10000. */
export const partNumberParam = z.string().regex(/^\d+$/).transform(Number).pipe(partNumber);
