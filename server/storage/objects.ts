/** Calls on whole stored objects; multipart.ts holds the calls on multipart uploads still in progress. */
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, S3ServiceException } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { checksumIn } from "./multipart.js";
import type { Storage } from "./s3.js";

export interface ObjectInfo {
  size: number;
  etag: string;
  /** The object's checksum in its upload's algorithm, as S3 reports it. */
  checksum?: string;
}

const isNotFound = (error: unknown) =>
  error instanceof S3ServiceException &&
  (error.$metadata.httpStatusCode === 404 || error.name === "NotFound" || error.name === "NoSuchKey");

/** Size, ETag and checksum of an object, or undefined when there is none at `key`. */
export async function headObject(storage: Storage, key: string): Promise<ObjectInfo | undefined> {
  try {
    const head = await storage.client.send(
      new HeadObjectCommand({ Bucket: storage.bucket, Key: key, ChecksumMode: "ENABLED" }),
    );
    const checksum = checksumIn(head);
    return { size: head.ContentLength ?? 0, etag: head.ETag ?? "", ...(checksum ? { checksum } : {}) };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** The first `length` bytes of an object (a ranged GET): enough to recognise its file type. */
export async function readObjectStart(storage: Storage, key: string, length: number): Promise<Uint8Array> {
  const result = await storage.client.send(
    new GetObjectCommand({ Bucket: storage.bucket, Key: key, Range: `bytes=0-${length - 1}` }),
  );
  return (await result.Body?.transformToByteArray()) ?? new Uint8Array();
}

export async function deleteObject(storage: Storage, key: string): Promise<void> {
  await storage.client.send(new DeleteObjectCommand({ Bucket: storage.bucket, Key: key }));
}

/**
 * A short-lived URL where a browser GETs the object straight from S3, answered with `contentType`
 * and `Content-Disposition: inline` whatever the object was stored with.
 */
export async function presignInlineGet(
  storage: Storage,
  key: string,
  contentType: string,
  expiresInSeconds: number,
): Promise<string> {
  return getSignedUrl(
    storage.presignClient,
    new GetObjectCommand({
      Bucket: storage.bucket,
      Key: key,
      ResponseContentType: contentType,
      ResponseContentDisposition: "inline",
    }),
    { expiresIn: expiresInSeconds },
  );
}
