import { storeCopy } from "../body.js";
import { parseAlgorithm, type ChecksumAlgorithm } from "../checksums.js";
import { evaluateConditions, requestConditions } from "../conditions.js";
import { header, uploadIdParam, type RequestContext } from "../context.js";
import { errors } from "../errors.js";
import { MAX_PART_SIZE, parsePartNumber } from "../multipart.js";
import { checksumXml, headersOf, storedHeaders } from "../object-headers.js";
import { sendXml } from "../respond.js";
import { MAX_OBJECT_SIZE, assertKeyLength, storeObjectBody, storePartBody } from "../store-body.js";
import type { ObjectMeta } from "../records.js";
import { xmlDocument } from "../xml.js";

interface CopySource {
  bucket: string;
  key: string;
  meta: ObjectMeta;
}

/** Resolves `x-amz-copy-source` ("[/]bucket/key[?versionId=null]", URL-encoded) to the stored object. */
function copySource(ctx: RequestContext): CopySource {
  const raw = header(ctx.req, "x-amz-copy-source") ?? "";
  const [path = "", search = ""] = raw.split("?", 2);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path).replace(/^\//, "");
  } catch {
    throw errors.invalidArgument("Invalid copy source encoding", "x-amz-copy-source", raw);
  }
  const slash = decoded.indexOf("/");
  if (slash <= 0 || slash === decoded.length - 1) {
    throw errors.invalidArgument(
      "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
      "x-amz-copy-source",
      raw,
    );
  }
  // Buckets here are never versioned: every object's one version is "null", as S3 names it.
  const versionId = new URLSearchParams(search).get("versionId");
  if (versionId !== null && versionId !== "null") {
    throw errors.invalidArgument("Invalid version id specified", "x-amz-copy-source", raw);
  }
  const bucket = decoded.slice(0, slash);
  const key = decoded.slice(slash + 1);
  const meta = ctx.store.object(bucket, key);
  // The x-amz-copy-source-if-* headers: any that does not hold fails the copy with 412, as S3 answers.
  if (evaluateConditions(requestConditions(ctx, "x-amz-copy-source-"), meta)) throw errors.preconditionFailed();
  return { bucket, key, meta };
}

/** Algorithms the copy computes: the one asked for, else those the source carried. */
function copyAlgorithms(ctx: RequestContext, source: ObjectMeta): ChecksumAlgorithm[] {
  const asked = parseAlgorithm(header(ctx.req, "x-amz-checksum-algorithm"), "x-amz-checksum-algorithm");
  return asked ? [asked] : (Object.keys(source.checksums) as ChecksumAlgorithm[]);
}

/** CopyObject: a new object with the source's bytes, and its headers (COPY) or the request's (REPLACE). */
export async function copyObject(ctx: RequestContext): Promise<void> {
  ctx.store.bucket(ctx.bucket);
  assertKeyLength(ctx);
  const directive = (header(ctx.req, "x-amz-metadata-directive") ?? "COPY").toUpperCase();
  if (directive !== "COPY" && directive !== "REPLACE") {
    throw errors.invalidArgument("Unknown metadata directive.", "x-amz-metadata-directive", directive);
  }
  const source = copySource(ctx);
  if (source.bucket === ctx.bucket && source.key === ctx.key && directive === "COPY") {
    throw errors.invalidRequest(
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  if (source.meta.size > MAX_OBJECT_SIZE) {
    throw errors.invalidRequest(
      `The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_OBJECT_SIZE}`,
    );
  }
  ctx.req.resume();
  const headers = directive === "COPY" ? headersOf(source.meta) : storedHeaders(ctx);
  const file = ctx.store.tmpFile();
  const reader = ctx.store.readObject(source.bucket, source.meta, 0, source.meta.size - 1);
  const copied = await storeCopy(reader, file, copyAlgorithms(ctx, source.meta));
  const stored = await storeObjectBody(ctx, file, copied, headers);
  sendXml(
    ctx,
    200,
    xmlDocument("CopyObjectResult", {
      LastModified: stored.lastModified,
      ETag: stored.etag,
      ...checksumXml(stored.checksums),
    }),
  );
}

/** Parses x-amz-copy-source-range ("bytes=first-last", both required) against the source's size. */
function copyRange(ctx: RequestContext, size: number): { start: number; end: number } {
  const value = header(ctx.req, "x-amz-copy-source-range");
  if (value === undefined) return { start: 0, end: size - 1 };
  const match = value.match(/^bytes=(\d+)-(\d+)$/);
  if (!match) {
    throw errors.invalidArgument(
      "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
      "x-amz-copy-source-range",
      value,
    );
  }
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (start > end || end >= size) {
    throw errors.invalidArgument(
      `Range specified is not valid for source object of size: ${size}`,
      "x-amz-copy-source-range",
      value,
    );
  }
  return { start, end };
}

/** UploadPartCopy: a part made of (a range of) an existing object's bytes. */
export async function uploadPartCopy(ctx: RequestContext): Promise<void> {
  const partNumber = parsePartNumber(ctx.query.get("partNumber"));
  const upload = ctx.store.upload(ctx.bucket, ctx.key, uploadIdParam(ctx));
  const source = copySource(ctx);
  const { start, end } = copyRange(ctx, source.meta.size);
  if (end - start + 1 > MAX_PART_SIZE) throw errors.entityTooLarge(MAX_PART_SIZE);
  ctx.req.resume();
  const algorithm = upload.meta.checksumAlgorithm;
  const file = ctx.store.tmpFile();
  const reader = ctx.store.readObject(source.bucket, source.meta, start, end);
  const copied = await storeCopy(reader, file, algorithm ? [algorithm] : []);
  const part = await storePartBody(ctx, upload.meta.uploadId, partNumber, file, copied);
  sendXml(
    ctx,
    200,
    xmlDocument("CopyPartResult", { LastModified: part.lastModified, ETag: part.etag, ...checksumXml(part.checksums) }),
  );
}
