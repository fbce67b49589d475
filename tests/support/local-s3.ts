import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  type CompletedPart,
} from "@aws-sdk/client-s3";
import { startLocalS3, type LocalS3, type LocalS3Options } from "../../server/local-s3/index.js";

/** `size` bytes, every one of them set, different for every seed: test content that no part shares with another. */
export function patternBytes(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) out[i] = ((i * 2654435761 + seed) >>> 13) & 0xff;
  return out;
}

export const TEST_CREDENTIALS = { accessKeyId: "test-access-key", secretAccessKey: "test-secret-key-0123456789" };

export interface TestS3 {
  server: LocalS3;
  client: S3Client;
  dataDir: string;
  /** Stops the server and removes its data. */
  close(): Promise<void>;
}

export function s3Client(url: string, credentials = TEST_CREDENTIALS): S3Client {
  return new S3Client({ endpoint: url, region: "us-east-1", forcePathStyle: true, credentials, maxAttempts: 1 });
}

/** SHA-256 (hex) of a stored object, read as a stream: objects may be far larger than memory allows. */
export async function objectSha256(client: S3Client, bucket: string, key: string): Promise<string> {
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hash = createHash("sha256");
  for await (const chunk of object.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
  return hash.digest("hex");
}

/** A local S3 on a free port with its own temporary data directory. */
export async function startTestS3(options: Partial<LocalS3Options> = {}): Promise<TestS3> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "local-s3-test-")));
  const server = await startLocalS3({ credentials: TEST_CREDENTIALS, ...options, dataDir });
  const client = s3Client(server.url);
  return {
    server,
    client,
    dataDir,
    async close() {
      client.destroy();
      await server.stop();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The S3 error a request fails with; fails the test if the request succeeds. */
export async function s3Failure(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return error;
    throw error;
  }
  throw new Error("expected the request to fail");
}

/** A multipart upload of `bodies` as parts 1..n with SHA-256 checksums, not completed: its id and its parts. */
export async function uploadSha256Parts(client: S3Client, Bucket: string, Key: string, bodies: Buffer[]) {
  const { UploadId } = await client.send(
    new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: "SHA256" }),
  );
  const parts: CompletedPart[] = [];
  for (const [i, Body] of bodies.entries()) {
    const ChecksumSHA256 = createHash("sha256").update(Body).digest("base64");
    const { ETag } = await client.send(
      new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body, ChecksumSHA256 }),
    );
    parts.push({ PartNumber: i + 1, ETag, ChecksumSHA256 });
  }
  return { UploadId: UploadId!, parts };
}

/** Completes an upload with `Parts`, stating the object's SHA-256 (S3's composite form) when given one. */
export function completeUpload(
  client: S3Client,
  target: { Bucket: string; Key: string; UploadId: string },
  Parts: CompletedPart[],
  ChecksumSHA256?: string,
) {
  return client.send(new CompleteMultipartUploadCommand({ ...target, MultipartUpload: { Parts }, ChecksumSHA256 }));
}
