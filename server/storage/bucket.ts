/**
 * Is the bucket ready for browsers to upload to? It must exist, and its CORS must let the app's page PUT
 * parts (with the checksum header the part URLs sign) and read each part's ETag. Checked at start against
 * an external S3; created and configured when asked (S3_PREPARE_BUCKET) and always for the local S3.
 */
import {
  CreateBucketCommand,
  GetBucketCorsCommand,
  HeadBucketCommand,
  PutBucketCorsCommand,
  S3ServiceException,
  type CORSRule,
} from "@aws-sdk/client-s3";
import {
  PART_CHECKSUM_ALGORITHMS,
  checksumHeaderName,
  type PartChecksumAlgorithm,
} from "../../app/shared/checksum-mode.js";
import { matchCorsRule } from "../local-s3/cors.js";
import type { Storage } from "./s3.js";

/** Response headers the uploader reads: the part's ETag (required) and its checksum, in any mode. */
const EXPOSED = ["ETag", ...PART_CHECKSUM_ALGORITHMS.map(checksumHeaderName)];

/** The rule the app adds to the bucket: uploads and reads from the app's origin. */
export function appCorsRule(appOrigin: string): CORSRule {
  return {
    AllowedOrigins: [appOrigin],
    AllowedMethods: ["GET", "HEAD", "PUT"],
    AllowedHeaders: ["*"],
    ExposeHeaders: EXPOSED,
    MaxAgeSeconds: 3000,
  };
}

/**
 * Why the rules do not let `appOrigin` upload parts (a PUT with the checksum header of `algorithm`, the
 * uploads' UPLOAD_CHECKSUM) and read their ETag, or undefined when they do. S3 answers a request with the
 * first rule that matches its origin, method and headers, so that rule alone must expose the ETag.
 */
export function corsProblem(
  rules: CORSRule[],
  appOrigin: string,
  algorithm: PartChecksumAlgorithm,
): string | undefined {
  const header = checksumHeaderName(algorithm);
  const matched = matchCorsRule(
    rules.map((rule) => ({
      allowedOrigins: rule.AllowedOrigins ?? [],
      allowedMethods: rule.AllowedMethods ?? [],
      allowedHeaders: rule.AllowedHeaders ?? [],
      exposeHeaders: rule.ExposeHeaders ?? [],
    })),
    appOrigin,
    "PUT",
    [header],
  );
  if (!matched) return `no CORS rule lets ${appOrigin} send PUT with the header ${header}`;
  if (!matched.exposeHeaders.some((header) => header.toLowerCase() === "etag"))
    return `the CORS rule that lets ${appOrigin} PUT does not expose the ETag header (ExposeHeaders)`;
  return undefined;
}

export type BucketState =
  { ready: true; warning?: string } | { ready: false; missing: "bucket" | "cors"; problem: string };

const errorName = (error: unknown) => (error instanceof S3ServiceException ? error.name : undefined);
const statusOf = (error: unknown) => (error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined);

/**
 * Checks the bucket without changing it. Storage that cannot say (no permission to read the CORS
 * configuration, or no bucket CORS API at all, as MinIO) is ready with a warning: only a browser can tell.
 */
export async function inspectBucket(
  storage: Storage,
  appOrigin: string,
  algorithm: PartChecksumAlgorithm,
): Promise<BucketState> {
  try {
    await storage.client.send(new HeadBucketCommand({ Bucket: storage.bucket }));
  } catch (error) {
    const status = statusOf(error);
    if (status === 404 || errorName(error) === "NotFound" || errorName(error) === "NoSuchBucket")
      return { ready: false, missing: "bucket", problem: `the bucket "${storage.bucket}" does not exist` };
    if (status === 403)
      throw new Error(
        `S3 refused access to the bucket "${storage.bucket}" (403): check S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and the key's permissions.`,
        { cause: error },
      );
    throw error;
  }
  let rules: CORSRule[];
  try {
    rules = (await storage.client.send(new GetBucketCorsCommand({ Bucket: storage.bucket }))).CORSRules ?? [];
  } catch (error) {
    const name = errorName(error);
    if (name === "NoSuchCORSConfiguration") rules = [];
    else if (name === "AccessDenied" || name === "NotImplemented" || statusOf(error) === 501)
      return {
        ready: true,
        warning: `could not read the CORS configuration of "${storage.bucket}" (${name}); make sure it lets the app's origin PUT and exposes ETag`,
      };
    else throw error;
  }
  const problem = corsProblem(rules, appOrigin, algorithm);
  return problem ? { ready: false, missing: "cors", problem } : { ready: true };
}

/** Creates the bucket if missing and adds the app's CORS rule unless the bucket's rules already suffice. */
export async function prepareBucket(
  storage: Storage,
  appOrigin: string,
  algorithm: PartChecksumAlgorithm,
): Promise<void> {
  const state = await inspectBucket(storage, appOrigin, algorithm);
  if (state.ready) return;
  if (state.missing === "bucket") {
    await storage.client.send(
      new CreateBucketCommand({
        Bucket: storage.bucket,
        // us-east-1 is the one region S3 wants no location constraint for.
        ...(storage.region === "us-east-1"
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: storage.region as never } }),
      }),
    );
  }
  const existing = await storage.client
    .send(new GetBucketCorsCommand({ Bucket: storage.bucket }))
    .then((answer) => answer.CORSRules ?? [])
    .catch((error: unknown) => {
      if (errorName(error) === "NoSuchCORSConfiguration") return [];
      throw error;
    });
  // The app's rule goes first: S3 answers with the first rule that matches.
  await storage.client.send(
    new PutBucketCorsCommand({
      Bucket: storage.bucket,
      CORSConfiguration: { CORSRules: [appCorsRule(appOrigin), ...existing] },
    }),
  );
}

/** The start-up error for a bucket that is not ready: what is wrong, and exactly what to set. */
export class BucketNotReadyError extends Error {
  constructor(storage: Storage, appOrigin: string, state: Extract<BucketState, { ready: false }>) {
    const where = `${storage.endpoint ?? "AWS S3"} (S3_ENDPOINT), bucket "${storage.bucket}" (S3_BUCKET)`;
    const fix =
      state.missing === "bucket"
        ? `Create the bucket, or set S3_BUCKET to an existing one, or set S3_PREPARE_BUCKET=true to have the app create it and its CORS rule.`
        : `Add this CORS rule to the bucket (for example with aws s3api put-bucket-cors --bucket ${storage.bucket} --cors-configuration '<this JSON>'), or set S3_PREPARE_BUCKET=true to have the app add it:\n` +
          JSON.stringify({ CORSRules: [appCorsRule(appOrigin)] });
    super(`Storage is not ready for uploads at ${where}: ${state.problem}.\n${fix}`);
    this.name = "BucketNotReadyError";
  }
}

/** Checks the bucket at start; throws BucketNotReadyError saying what to set. Returns a warning, if any. */
export async function requireReadyBucket(
  storage: Storage,
  appOrigin: string,
  algorithm: PartChecksumAlgorithm,
): Promise<string | undefined> {
  const state = await inspectBucket(storage, appOrigin, algorithm);
  if (!state.ready) throw new BucketNotReadyError(storage, appOrigin, state);
  return state.warning;
}
