import { readFile, unlink } from "node:fs/promises";
import { STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER, UNSIGNED_PAYLOAD } from "./auth.js";
import { receiveBody, type BodyExpectations } from "./body.js";
import {
  CHECKSUM_ALGORITHMS,
  assertChecksumFormat,
  headerName,
  parseAlgorithm,
  type ChecksumAlgorithm,
  type Checksums,
} from "./checksums.js";
import { header, type RequestContext } from "./context.js";
import { S3Error, errors } from "./errors.js";
import { contentCodings } from "./object-headers.js";
import { parseXmlBody } from "./xml.js";

type Framing = Pick<BodyExpectations, "chunked" | "chunkSigner" | "sha256Hex">;

/** How the body is framed and signed, from its signature's payload hash and Content-Encoding. */
function bodyFraming(ctx: RequestContext): Framing {
  const payloadHash = ctx.auth.payloadHash;
  const chunked = payloadHash.startsWith("STREAMING-") || contentCodings(ctx).includes("aws-chunked");
  const signed = payloadHash === STREAMING_SIGNED || payloadHash === STREAMING_SIGNED_TRAILER;
  const chunkSigner = signed ? ctx.auth.chunkSigner : undefined;
  if (payloadHash.startsWith("STREAMING-") && payloadHash !== STREAMING_UNSIGNED_TRAILER && !chunkSigner) {
    // ECDSA (SigV4a) chunks, or a streaming mode on a presigned URL.
    throw errors.notImplemented(`x-amz-content-sha256: ${payloadHash}`);
  }
  if (/^[0-9a-f]{64}$/.test(payloadHash)) return { chunked, chunkSigner, sha256Hex: payloadHash };
  if (payloadHash !== UNSIGNED_PAYLOAD && !payloadHash.startsWith("STREAMING-")) {
    throw errors.invalidArgument(
      "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER) or a valid sha256 value.",
      "x-amz-content-sha256",
      payloadHash,
    );
  }
  return { chunked, chunkSigner, sha256Hex: undefined };
}

/**
 * The checksums the request's x-amz-checksum-* headers declare, each checked for its format by `assertFormat`
 * (a body's digest by default; CompleteMultipartUpload states the object's, in composite form).
 */
export function declaredChecksums(
  ctx: RequestContext,
  assertFormat: (algorithm: ChecksumAlgorithm, value: string) => void = assertChecksumFormat,
): Checksums {
  const checksums: Checksums = {};
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = header(ctx.req, headerName(algorithm));
    if (value === undefined) continue;
    assertFormat(algorithm, value);
    checksums[algorithm] = value;
  }
  return checksums;
}

/**
 * What the request promises about its body, from its headers and its signature's payload hash.
 * `bodyChecksumHeaders: false` where x-amz-checksum-* describe something else (CompleteMultipartUpload's object).
 */
export function bodyExpectations(
  ctx: RequestContext,
  compute: ChecksumAlgorithm[],
  maxBytes: number,
  bodyChecksumHeaders = true,
): BodyExpectations {
  const framing = bodyFraming(ctx);
  if (!framing.chunked && header(ctx.req, "content-length") === undefined) {
    throw new S3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
  }
  const contentMd5 = header(ctx.req, "content-md5");
  if (contentMd5 !== undefined && Buffer.from(contentMd5, "base64").length !== 16)
    throw errors.invalidDigest("Content-MD5");
  const checksums = bodyChecksumHeaders ? declaredChecksums(ctx) : {};
  const trailer = header(ctx.req, "x-amz-trailer");
  const trailerAlgorithm = trailer
    ? parseAlgorithm(trailer.replace(/^x-amz-checksum-/i, ""), "x-amz-trailer")
    : undefined;
  const decodedText = header(ctx.req, "x-amz-decoded-content-length");
  const decodedLength = decodedText === undefined ? undefined : Number(decodedText);
  const declaredSize = decodedLength ?? Number(header(ctx.req, "content-length") ?? 0);
  if (declaredSize > maxBytes) throw errors.entityTooLarge(maxBytes);
  return { ...framing, decodedLength, contentMd5, checksums, trailerAlgorithm, compute, maxBytes };
}

/** Receives a small XML request body, verifying its digests like any other body (see bodyExpectations). */
export async function receiveXml(
  ctx: RequestContext,
  root: string,
  bodyChecksumHeaders = true,
): Promise<Record<string, unknown>> {
  const file = ctx.store.tmpFile();
  await receiveBody(ctx.req, ctx.requestTaps(), file, bodyExpectations(ctx, [], 1024 * 1024, bodyChecksumHeaders));
  try {
    return parseXmlBody(await readFile(file, "utf8"), root);
  } finally {
    await unlink(file).catch(() => undefined);
  }
}
