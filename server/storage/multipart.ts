import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  NoSuchUpload,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import type { Storage } from "./s3.js";

export interface StoredPart {
  partNumber: number;
  size: number;
  etag: string;
  checksumSha256?: string;
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
  input: { key: string; contentType: string; contentDisposition: string; metadata: Record<string, string> },
): Promise<string> {
  const result = await storage.client.send(
    new CreateMultipartUploadCommand({
      Bucket: storage.bucket,
      Key: input.key,
      ContentType: input.contentType,
      ContentDisposition: input.contentDisposition,
      Metadata: input.metadata,
      // S3 keeps each part's SHA-256 and checks it on upload and at completion.
      ChecksumAlgorithm: "SHA256",
    }),
  );
  if (!result.UploadId) throw new Error("S3 did not return an upload id");
  return result.UploadId;
}

const toStoredPart = (p: {
  PartNumber?: number;
  Size?: number;
  ETag?: string;
  ChecksumSHA256?: string;
}): StoredPart => ({
  partNumber: p.PartNumber!,
  size: p.Size!,
  etag: p.ETag!,
  ...(p.ChecksumSHA256 ? { checksumSha256: p.ChecksumSHA256 } : {}),
});

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

/** One part as S3 holds it (a single ListParts page), or undefined; "gone" when the upload no longer exists. */
export async function findPart(
  storage: Storage,
  key: string,
  uploadId: string,
  partNumber: number,
): Promise<StoredPart | undefined | "gone"> {
  return unlessGone(async () => {
    const page = await storage.client.send(
      new ListPartsCommand({
        Bucket: storage.bucket,
        Key: key,
        UploadId: uploadId,
        PartNumberMarker: String(partNumber - 1),
        MaxParts: 1,
      }),
    );
    const part = page.Parts?.[0];
    return part && part.PartNumber === partNumber ? toStoredPart(part) : undefined;
  });
}

export async function completeMultipartUpload(
  storage: Storage,
  key: string,
  uploadId: string,
  parts: StoredPart[],
): Promise<"completed" | "gone"> {
  return unlessGone(async () => {
    await storage.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: storage.bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: {
          Parts: parts.map((p) => ({
            PartNumber: p.partNumber,
            ETag: p.etag,
            ...(p.checksumSha256 ? { ChecksumSHA256: p.checksumSha256 } : {}),
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
    if ((await findPart(storage, key, uploadId, 1)) === "gone") return true;
    await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
  }
  return false;
}
