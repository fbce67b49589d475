import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  NoSuchUpload,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { fullObjectCrc } from "../../app/shared/crc/combine.js";
import type { ChecksumMode, PartChecksumAlgorithm } from "../../app/shared/checksum-mode.js";
import type { Storage } from "./s3.js";

export interface StoredPart {
  partNumber: number;
  size: number;
  etag: string;
  /** The part's checksum in the upload's algorithm (base64), as S3 checked it. */
  checksum?: string;
}

/** The SDK's field for a checksum of `algorithm` (ChecksumCRC64NVME, ChecksumCRC32C, ChecksumSHA256). */
export const checksumField = (algorithm: PartChecksumAlgorithm) => `Checksum${algorithm}` as const;

type ChecksumFields = Partial<Record<ReturnType<typeof checksumField>, string>>;

/** The one checksum an S3 answer carries for a part or object (an upload has one algorithm). */
export function checksumIn(answer: ChecksumFields): string | undefined {
  return answer.ChecksumCRC64NVME ?? answer.ChecksumCRC32C ?? answer.ChecksumSHA256;
}

const isNoSuchUpload = (error: unknown) =>
  error instanceof NoSuchUpload || (error instanceof S3ServiceException && error.name === "NoSuchUpload");

/** The call's result, or "gone" when S3 no longer knows the multipart upload. */
async function unlessGone<T>(call: () => Promise<T>): Promise<T | "gone"> {
  try {
    return await call();
  } catch (error) {
    if (isNoSuchUpload(error)) return "gone";
    throw error;
  }
}

export async function createMultipartUpload(
  storage: Storage,
  input: {
    key: string;
    contentType: string;
    contentDisposition: string;
    metadata: Record<string, string>;
    checksum: ChecksumMode;
  },
): Promise<string> {
  const result = await storage.client.send(
    new CreateMultipartUploadCommand({
      Bucket: storage.bucket,
      Key: input.key,
      ContentType: input.contentType,
      ContentDisposition: input.contentDisposition,
      Metadata: input.metadata,
      // S3 keeps each part's checksum, checks it on upload, and makes the object's of them at completion.
      ChecksumAlgorithm: input.checksum.algorithm,
      ChecksumType: input.checksum.type,
    }),
  );
  if (!result.UploadId) throw new Error("S3 did not return an upload id");
  return result.UploadId;
}

function toStoredPart(p: { PartNumber?: number; Size?: number; ETag?: string } & ChecksumFields): StoredPart {
  const checksum = checksumIn(p);
  return { partNumber: p.PartNumber!, size: p.Size!, etag: p.ETag!, ...(checksum ? { checksum } : {}) };
}

/** Every part S3 holds for the upload (all pages), or "gone" when the upload no longer exists. */
export async function listAllParts(storage: Storage, key: string, uploadId: string): Promise<StoredPart[] | "gone"> {
  return unlessGone(async () => {
    const parts: StoredPart[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await storage.client.send(
        new ListPartsCommand({ Bucket: storage.bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }),
      );
      parts.push(...(page.Parts ?? []).map(toStoredPart));
      if (!page.IsTruncated) return parts;
      marker = page.NextPartNumberMarker;
    }
  });
}

/**
 * The parts numbered `partNumbers` that S3 holds (a part it lacks is absent from the map), listed from
 * the lowest number to the highest only: one ListParts page for a batch of nearby parts. "gone" when the
 * upload no longer exists.
 */
export async function findParts(
  storage: Storage,
  key: string,
  uploadId: string,
  partNumbers: number[],
): Promise<Map<number, StoredPart> | "gone"> {
  const wanted = new Set(partNumbers);
  const last = Math.max(...partNumbers);
  return unlessGone(async () => {
    const found = new Map<number, StoredPart>();
    let marker = Math.min(...partNumbers) - 1;
    while (marker < last) {
      const page = await storage.client.send(
        new ListPartsCommand({
          Bucket: storage.bucket,
          Key: key,
          UploadId: uploadId,
          PartNumberMarker: String(marker),
          MaxParts: Math.min(LIST_PARTS_PAGE, last - marker),
        }),
      );
      for (const part of page.Parts ?? [])
        if (wanted.has(part.PartNumber!)) found.set(part.PartNumber!, toStoredPart(part));
      if (!page.IsTruncated || !page.NextPartNumberMarker) break;
      marker = Number(page.NextPartNumberMarker);
    }
    return found;
  });
}

/** The most parts S3 lists in one ListParts page. */
const LIST_PARTS_PAGE = 1000;

/**
 * Completes with each part's checksum; for a full-object upload also with the object's CRC, combined
 * from the parts' CRCs and sizes, which S3 checks against the bytes it assembled.
 */
export async function completeMultipartUpload(
  storage: Storage,
  key: string,
  uploadId: string,
  parts: StoredPart[],
  mode: ChecksumMode,
): Promise<"completed" | "gone"> {
  const field = checksumField(mode.algorithm);
  const whole =
    mode.type === "FULL_OBJECT" && mode.algorithm !== "SHA256" && parts.every((p) => p.checksum)
      ? fullObjectCrc(
          mode.algorithm,
          parts.map((p) => ({ checksum: p.checksum!, size: p.size })),
        )
      : undefined;
  return unlessGone(async () => {
    await storage.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: storage.bucket,
        Key: key,
        UploadId: uploadId,
        ...(whole ? { ChecksumType: "FULL_OBJECT" as const, [field]: whole } : {}),
        MultipartUpload: {
          Parts: parts.map((p) => ({
            PartNumber: p.partNumber,
            ETag: p.etag,
            ...(p.checksum ? { [field]: p.checksum } : {}),
          })),
        },
      }),
    );
    return "completed" as const;
  });
}

/**
 * Aborts a multipart upload until S3 confirms it is gone: a part still in flight may land after an
 * abort and keep storage (and cost) alive, which AWS documents; ListParts answering NoSuchUpload is the proof.
 */
export async function abortUntilGone(storage: Storage, key: string, uploadId: string, attempts = 5): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    try {
      await storage.client.send(
        new AbortMultipartUploadCommand({ Bucket: storage.bucket, Key: key, UploadId: uploadId }),
      );
    } catch (error) {
      if (!isNoSuchUpload(error)) throw error;
    }
    if ((await findParts(storage, key, uploadId, [1])) === "gone") return true;
    await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
  }
  return false;
}
