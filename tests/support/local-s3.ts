import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { startLocalS3, type LocalS3, type LocalS3Options } from "../../server/local-s3/index.js";

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
