import { readFile, unlink } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER, UNSIGNED_PAYLOAD } from "./auth.js";
import { receiveBody, type BodyExpectations, type BodyResult } from "./body.js";
import {
  CHECKSUM_ALGORITHMS,
  assertChecksumFormat,
  headerName,
  parseAlgorithm,
  xmlName,
  type ChecksumAlgorithm,
  type Checksums,
} from "./checksums.js";
import { etagMatches, evaluateConditions, type Conditions } from "./conditions.js";
import { header, type RequestContext } from "./context.js";
import type { CorsRule } from "./cors.js";
import { S3Error, errors } from "./errors.js";
import { listKeys } from "./listing.js";
import { otherSubresource } from "./router.js";
import {
  MAX_PART_SIZE,
  choosePartsToComplete,
  describeCompleted,
  parseCompletedParts,
  parsePartNumber,
} from "./multipart.js";
import type { ObjectMeta, PartMeta, StoredHeaders, WritePrecondition } from "./store.js";
import { asArray, parseXmlBody, xmlDocument, type XmlNode } from "./xml.js";

export const MAX_OBJECT_SIZE = 5 * 1024 * 1024 * 1024;
const MAX_METADATA_BYTES = 2 * 1024;
const OWNER = { ID: "local-s3", DisplayName: "local-s3" };

export function sendXml(ctx: RequestContext, status: number, xml: string, headers: Record<string, string> = {}): void {
  const body = Buffer.from(xml, "utf8");
  ctx.stats.bytesSent += body.length;
  ctx.res.writeHead(status, { ...headers, "Content-Type": "application/xml", "Content-Length": body.length });
  ctx.res.end(body);
}

export function sendEmpty(ctx: RequestContext, status: number, headers: Record<string, string | number> = {}): void {
  ctx.res.writeHead(status, { ...headers, "Content-Length": 0 });
  ctx.res.end();
}

const httpDate = (iso: string) => new Date(iso).toUTCString();

/** The headers S3 stores with an object, by field and request header name. */
const HEADER_FIELDS: Array<[keyof Omit<StoredHeaders, "metadata">, string]> = [
  ["contentType", "content-type"],
  ["contentDisposition", "content-disposition"],
  ["contentEncoding", "content-encoding"],
  ["contentLanguage", "content-language"],
  ["cacheControl", "cache-control"],
  ["expires", "expires"],
];
const STORED_FIELDS = HEADER_FIELDS.map(([field]) => field);

export function storedHeaders(ctx: RequestContext): StoredHeaders {
  const metadata: Record<string, string> = {};
  let metadataBytes = 0;
  for (const name of Object.keys(ctx.req.headers)) {
    const text = name.startsWith("x-amz-meta-") ? header(ctx.req, name) : undefined;
    if (text === undefined) continue;
    const metaName = name.slice("x-amz-meta-".length);
    metadataBytes += metaName.length + text.length;
    metadata[metaName] = text;
  }
  if (metadataBytes > MAX_METADATA_BYTES) {
    throw new S3Error(400, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.", {
      Size: metadataBytes,
      MaxSizeAllowed: MAX_METADATA_BYTES,
    });
  }
  const pick = (name: string) => header(ctx.req, name);
  const stored: StoredHeaders = { metadata };
  for (const [field, name] of HEADER_FIELDS) {
    let value = pick(name);
    // aws-chunked is transfer framing, not a property of the stored object.
    if (field === "contentEncoding" && value)
      value =
        value
          .split(",")
          .map((v) => v.trim())
          .filter((v) => v !== "aws-chunked")
          .join(",") || undefined;
    if (value !== undefined) stored[field] = value;
  }
  return stored;
}

/** The stored headers of an object, without its other fields (what CopyObject copies by default). */
export function headersOf(meta: StoredHeaders): StoredHeaders {
  const out: StoredHeaders = { metadata: { ...meta.metadata } };
  for (const field of STORED_FIELDS) if (meta[field] !== undefined) out[field] = meta[field];
  return out;
}

function objectHeaders(meta: StoredHeaders): Record<string, string> {
  const out: Record<string, string> = { "Content-Type": meta.contentType ?? "binary/octet-stream" };
  if (meta.contentDisposition) out["Content-Disposition"] = meta.contentDisposition;
  if (meta.contentEncoding) out["Content-Encoding"] = meta.contentEncoding;
  if (meta.contentLanguage) out["Content-Language"] = meta.contentLanguage;
  if (meta.cacheControl) out["Cache-Control"] = meta.cacheControl;
  if (meta.expires) out["Expires"] = meta.expires;
  for (const [name, value] of Object.entries(meta.metadata)) out[`x-amz-meta-${name}`] = value;
  return out;
}

function checksumHeaders(checksums: Checksums, checksumType?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [algorithm, value] of Object.entries(checksums)) out[headerName(algorithm as ChecksumAlgorithm)] = value;
  if (checksumType && Object.keys(out).length > 0) out["x-amz-checksum-type"] = checksumType;
  return out;
}

export function checksumXml(checksums: Checksums, only?: ChecksumAlgorithm): XmlNode {
  const node: XmlNode = {};
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    if (only !== undefined && algorithm !== only) continue;
    if (checksums[algorithm] !== undefined) node[xmlName(algorithm)] = checksums[algorithm];
  }
  return node;
}

/** What the request promises about its body, from its headers and its signature's payload hash. */
function bodyExpectations(ctx: RequestContext, compute: ChecksumAlgorithm[], maxBytes: number): BodyExpectations {
  const payloadHash = ctx.auth.payloadHash;
  const contentEncoding = header(ctx.req, "content-encoding") ?? "";
  const chunked =
    payloadHash.startsWith("STREAMING-") || contentEncoding.split(",").some((e) => e.trim() === "aws-chunked");
  const signed = payloadHash === STREAMING_SIGNED || payloadHash === STREAMING_SIGNED_TRAILER;
  const chunkSigner = signed ? ctx.auth.chunkSigner : undefined;
  if (payloadHash.startsWith("STREAMING-") && payloadHash !== STREAMING_UNSIGNED_TRAILER && !chunkSigner) {
    // ECDSA (SigV4a) chunks, or a streaming mode on a presigned URL.
    throw errors.notImplemented(`x-amz-content-sha256: ${payloadHash}`);
  }
  let sha256Hex: string | undefined;
  if (/^[0-9a-f]{64}$/.test(payloadHash)) sha256Hex = payloadHash;
  else if (payloadHash !== UNSIGNED_PAYLOAD && !payloadHash.startsWith("STREAMING-")) {
    throw errors.invalidArgument(
      "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER) or a valid sha256 value.",
      "x-amz-content-sha256",
      payloadHash,
    );
  }
  if (!chunked && header(ctx.req, "content-length") === undefined) {
    throw new S3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
  }
  const contentMd5 = header(ctx.req, "content-md5");
  if (contentMd5 !== undefined && Buffer.from(contentMd5, "base64").length !== 16)
    throw errors.invalidDigest("Content-MD5");
  const checksums: Checksums = {};
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = header(ctx.req, headerName(algorithm));
    if (value === undefined) continue;
    assertChecksumFormat(algorithm, value);
    checksums[algorithm] = value;
  }
  const trailer = header(ctx.req, "x-amz-trailer");
  const trailerAlgorithm = trailer
    ? parseAlgorithm(trailer.replace(/^x-amz-checksum-/i, ""), "x-amz-trailer")
    : undefined;
  const decodedText = header(ctx.req, "x-amz-decoded-content-length");
  const decodedLength = decodedText === undefined ? undefined : Number(decodedText);
  const declaredSize = decodedLength ?? Number(header(ctx.req, "content-length") ?? 0);
  if (declaredSize > maxBytes) throw errors.entityTooLarge(maxBytes);
  return {
    chunked,
    chunkSigner,
    decodedLength,
    sha256Hex,
    contentMd5,
    checksums,
    trailerAlgorithm,
    compute,
    maxBytes,
  };
}

/** Receives a small XML request body, verifying its digests like any other body. */
async function receiveXml(ctx: RequestContext, root: string): Promise<Record<string, unknown>> {
  const file = ctx.store.tmpFile();
  await receiveBody(ctx.req, ctx.requestTaps(), file, bodyExpectations(ctx, [], 1024 * 1024));
  try {
    return parseXmlBody(await readFile(file, "utf8"), root);
  } finally {
    await unlink(file).catch(() => undefined);
  }
}

function validateBucketName(name: string): void {
  if (
    !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) ||
    name.includes("..") ||
    /^\d+\.\d+\.\d+\.\d+$/.test(name) ||
    name.startsWith("xn--")
  ) {
    throw errors.invalidBucketName(name);
  }
}

function intParam(ctx: RequestContext, name: string, fallback: number, max: number): number {
  const raw = ctx.query.get(name);
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw))
    throw errors.invalidArgument(`Provided ${name} not an integer or within integer range`, name, raw);
  return Math.min(Number(raw), max);
}

// ---------- buckets ----------

export async function listBuckets(ctx: RequestContext): Promise<void> {
  sendXml(
    ctx,
    200,
    xmlDocument("ListAllMyBucketsResult", {
      Owner: OWNER,
      Buckets: { Bucket: ctx.store.listBuckets().map((b) => ({ Name: b.name, CreationDate: b.createdAt })) },
    }),
  );
}

export async function createBucket(ctx: RequestContext): Promise<void> {
  validateBucketName(ctx.bucket);
  ctx.req.resume();
  await ctx.store.createBucket(ctx.bucket);
  sendEmpty(ctx, 200, { Location: `/${ctx.bucket}` });
}

export async function headBucket(ctx: RequestContext): Promise<void> {
  ctx.store.bucket(ctx.bucket);
  sendEmpty(ctx, 200, { "x-amz-bucket-region": "us-east-1" });
}

export async function deleteBucket(ctx: RequestContext): Promise<void> {
  await ctx.store.deleteBucket(ctx.bucket);
  sendEmpty(ctx, 204);
}

export async function getBucketLocation(ctx: RequestContext): Promise<void> {
  ctx.store.bucket(ctx.bucket);
  sendXml(ctx, 200, xmlDocument("LocationConstraint", {}));
}

// ---------- subresources: the answers S3 gives for configurations nobody set ----------

/** Every bucket and object belongs to the one configured user, with full control and no other grant. */
export async function getAcl(ctx: RequestContext): Promise<void> {
  if (ctx.key) ctx.store.object(ctx.bucket, ctx.key);
  else ctx.store.bucket(ctx.bucket);
  // Written out rather than built: the grantee needs an xsi:type attribute.
  const owner = `<ID>${OWNER.ID}</ID><DisplayName>${OWNER.DisplayName}</DisplayName>`;
  sendXml(
    ctx,
    200,
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<Owner>${owner}</Owner><AccessControlList><Grant>` +
      `<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">${owner}</Grantee>` +
      "<Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>",
  );
}

export async function getBucketPolicy(ctx: RequestContext): Promise<void> {
  ctx.store.bucket(ctx.bucket);
  throw errors.notConfigured("NoSuchBucketPolicy", "The bucket policy does not exist", ctx.bucket);
}

/** Versioning is never enabled here: S3 answers an empty configuration for such a bucket. */
export async function getBucketVersioning(ctx: RequestContext): Promise<void> {
  ctx.store.bucket(ctx.bucket);
  sendXml(ctx, 200, xmlDocument("VersioningConfiguration", {}));
}

export async function getBucketLifecycleConfiguration(ctx: RequestContext): Promise<void> {
  ctx.store.bucket(ctx.bucket);
  throw errors.notConfigured("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist", ctx.bucket);
}

export async function getBucketTagging(ctx: RequestContext): Promise<void> {
  ctx.store.bucket(ctx.bucket);
  throw errors.notConfigured("NoSuchTagSet", "The TagSet does not exist", ctx.bucket);
}

/** Objects here carry no tags: S3 answers an empty tag set. */
export async function getObjectTagging(ctx: RequestContext): Promise<void> {
  ctx.store.object(ctx.bucket, ctx.key);
  sendXml(ctx, 200, xmlDocument("Tagging", { TagSet: {} }));
}

/** Any other subresource API: refused whole, so that it never acts as the plain object or bucket call. */
export async function unsupported(ctx: RequestContext): Promise<void> {
  throw errors.notImplemented(`?${otherSubresource(ctx.query) ?? "subresource"} (${ctx.req.method})`);
}

export async function putBucketCors(ctx: RequestContext): Promise<void> {
  ctx.store.bucket(ctx.bucket);
  const body = await receiveXml(ctx, "CORSConfiguration");
  const rules: CorsRule[] = asArray(body.CORSRule as Record<string, unknown> | Array<Record<string, unknown>>).map(
    (rule) => {
      const strings = (v: unknown) => asArray(v as string | string[]).map(String);
      const parsed: CorsRule = {
        allowedOrigins: strings(rule.AllowedOrigin),
        allowedMethods: strings(rule.AllowedMethod),
        allowedHeaders: strings(rule.AllowedHeader),
        exposeHeaders: strings(rule.ExposeHeader),
      };
      if (typeof rule.ID === "string") parsed.id = rule.ID;
      if (rule.MaxAgeSeconds !== undefined) parsed.maxAgeSeconds = Number(rule.MaxAgeSeconds);
      if (parsed.allowedOrigins.length === 0 || parsed.allowedMethods.length === 0) throw errors.malformedXml();
      for (const method of parsed.allowedMethods) {
        if (!["GET", "PUT", "POST", "DELETE", "HEAD"].includes(method)) {
          throw errors.invalidRequest(`Found unsupported HTTP method in CORS config. Unsupported method is ${method}`);
        }
      }
      return parsed;
    },
  );
  if (rules.length === 0) throw errors.malformedXml();
  await ctx.store.setCors(ctx.bucket, rules);
  sendEmpty(ctx, 200);
}

export async function getBucketCors(ctx: RequestContext): Promise<void> {
  const rules = ctx.store.bucket(ctx.bucket).cors;
  if (!rules) throw errors.noSuchCors(ctx.bucket);
  sendXml(
    ctx,
    200,
    xmlDocument("CORSConfiguration", {
      CORSRule: rules.map((r) => ({
        ID: r.id,
        AllowedHeader: r.allowedHeaders,
        AllowedMethod: r.allowedMethods,
        AllowedOrigin: r.allowedOrigins,
        ExposeHeader: r.exposeHeaders,
        MaxAgeSeconds: r.maxAgeSeconds,
      })),
    }),
  );
}

export async function deleteBucketCors(ctx: RequestContext): Promise<void> {
  await ctx.store.setCors(ctx.bucket, undefined);
  sendEmpty(ctx, 204);
}

// ---------- listing ----------

function sortedKeys(ctx: RequestContext): string[] {
  return [...ctx.store.bucket(ctx.bucket).objects.keys()].sort();
}

function encodeKey(ctx: RequestContext, key: string): string {
  return ctx.query.get("encoding-type") === "url" ? encodeURIComponent(key).replace(/%2F/g, "/") : key;
}

function contentsEntry(ctx: RequestContext, meta: ObjectMeta, withOwner: boolean): XmlNode {
  const algorithm = Object.keys(meta.checksums)[0];
  return {
    Key: encodeKey(ctx, meta.key),
    LastModified: meta.lastModified,
    ETag: meta.etag,
    ...(algorithm ? { ChecksumAlgorithm: algorithm, ChecksumType: meta.checksumType ?? "FULL_OBJECT" } : {}),
    Size: meta.size,
    StorageClass: "STANDARD",
    Owner: withOwner ? OWNER : undefined,
  };
}

function listingParams(ctx: RequestContext) {
  return {
    prefix: ctx.query.get("prefix") ?? "",
    delimiter: ctx.query.get("delimiter") ?? "",
    maxKeys: intParam(ctx, "max-keys", 1000, 1000),
  };
}

export async function listObjectsV2(ctx: RequestContext): Promise<void> {
  const { prefix, delimiter, maxKeys } = listingParams(ctx);
  const token = ctx.query.get("continuation-token");
  const startAfter = ctx.query.get("start-after") ?? "";
  let after = startAfter;
  if (token !== undefined) {
    after = Buffer.from(token, "base64url").toString("utf8");
    if (Buffer.from(after, "utf8").toString("base64url") !== token) {
      throw errors.invalidArgument("The continuation token provided is incorrect", "continuation-token", token);
    }
  }
  const bucket = ctx.store.bucket(ctx.bucket);
  const listing = listKeys(sortedKeys(ctx), { prefix, delimiter, after, maxKeys });
  const withOwner = ctx.query.get("fetch-owner") === "true";
  sendXml(
    ctx,
    200,
    xmlDocument("ListBucketResult", {
      Name: ctx.bucket,
      Prefix: encodeKey(ctx, prefix),
      Delimiter: delimiter || undefined,
      MaxKeys: maxKeys,
      EncodingType: ctx.query.get("encoding-type"),
      KeyCount: listing.entries.length,
      IsTruncated: listing.isTruncated,
      ContinuationToken: token,
      NextContinuationToken: listing.isTruncated ? Buffer.from(listing.last!, "utf8").toString("base64url") : undefined,
      StartAfter: startAfter || undefined,
      Contents: listing.entries.flatMap((e) =>
        e.type === "key" ? [contentsEntry(ctx, bucket.objects.get(e.key)!, withOwner)] : [],
      ),
      CommonPrefixes: listing.entries.flatMap((e) =>
        e.type === "prefix" ? [{ Prefix: encodeKey(ctx, e.prefix) }] : [],
      ),
    }),
  );
}

export async function listObjects(ctx: RequestContext): Promise<void> {
  const { prefix, delimiter, maxKeys } = listingParams(ctx);
  const marker = ctx.query.get("marker") ?? "";
  const bucket = ctx.store.bucket(ctx.bucket);
  const listing = listKeys(sortedKeys(ctx), { prefix, delimiter, after: marker, maxKeys });
  sendXml(
    ctx,
    200,
    xmlDocument("ListBucketResult", {
      Name: ctx.bucket,
      Prefix: encodeKey(ctx, prefix),
      Marker: encodeKey(ctx, marker),
      NextMarker: listing.isTruncated && delimiter ? encodeKey(ctx, listing.last!) : undefined,
      MaxKeys: maxKeys,
      Delimiter: delimiter || undefined,
      EncodingType: ctx.query.get("encoding-type"),
      IsTruncated: listing.isTruncated,
      Contents: listing.entries.flatMap((e) =>
        e.type === "key" ? [contentsEntry(ctx, bucket.objects.get(e.key)!, true)] : [],
      ),
      CommonPrefixes: listing.entries.flatMap((e) =>
        e.type === "prefix" ? [{ Prefix: encodeKey(ctx, e.prefix) }] : [],
      ),
    }),
  );
}

/** Unversioned buckets answer with every object as its only version, VersionId "null", as S3 does. */
export async function listObjectVersions(ctx: RequestContext): Promise<void> {
  const { prefix, delimiter, maxKeys } = listingParams(ctx);
  const keyMarker = ctx.query.get("key-marker") ?? "";
  const bucket = ctx.store.bucket(ctx.bucket);
  const listing = listKeys(sortedKeys(ctx), { prefix, delimiter, after: keyMarker, maxKeys });
  sendXml(
    ctx,
    200,
    xmlDocument("ListVersionsResult", {
      Name: ctx.bucket,
      Prefix: encodeKey(ctx, prefix),
      KeyMarker: encodeKey(ctx, keyMarker),
      VersionIdMarker: ctx.query.get("version-id-marker") ?? "",
      NextKeyMarker: listing.isTruncated ? encodeKey(ctx, listing.last!) : undefined,
      NextVersionIdMarker: listing.isTruncated ? "null" : undefined,
      MaxKeys: maxKeys,
      Delimiter: delimiter || undefined,
      EncodingType: ctx.query.get("encoding-type"),
      IsTruncated: listing.isTruncated,
      Version: listing.entries.flatMap((e) => {
        if (e.type !== "key") return [];
        const meta = bucket.objects.get(e.key)!;
        return [
          {
            Key: encodeKey(ctx, meta.key),
            VersionId: "null",
            IsLatest: true,
            LastModified: meta.lastModified,
            ETag: meta.etag,
            Size: meta.size,
            StorageClass: "STANDARD",
            Owner: OWNER,
          },
        ];
      }),
      CommonPrefixes: listing.entries.flatMap((e) =>
        e.type === "prefix" ? [{ Prefix: encodeKey(ctx, e.prefix) }] : [],
      ),
    }),
  );
}

// ---------- objects ----------

/**
 * S3's conditional writes: `If-None-Match: *` (only if the key is free) and `If-Match: <etag>` (only over
 * that version), evaluated when the write commits.
 */
export function writePrecondition(ctx: RequestContext): WritePrecondition | undefined {
  const ifNoneMatch = header(ctx.req, "if-none-match");
  const ifMatch = header(ctx.req, "if-match");
  if (ifNoneMatch === undefined && ifMatch === undefined) return undefined;
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== "*")
    throw errors.notImplemented("If-None-Match other than *");
  return (previous) => {
    if (ifNoneMatch !== undefined && previous) throw errors.preconditionFailed();
    if (ifMatch === undefined) return;
    if (!previous) throw errors.noSuchKey(ctx.key);
    if (!etagMatches(ifMatch, previous.etag)) throw errors.preconditionFailed();
  };
}

/** Makes a received (or copied) body in `file` the whole of ctx.key, under an MD5 ETag. */
export async function storeObjectBody(
  ctx: RequestContext,
  file: string,
  body: BodyResult,
  headers: StoredHeaders,
  precondition?: WritePrecondition,
): Promise<ObjectMeta> {
  ctx.stats.bytesStored += body.size;
  const meta = {
    ...headers,
    key: ctx.key,
    size: body.size,
    etag: `"${body.md5Hex}"`,
    lastModified: new Date().toISOString(),
    checksums: body.checksums,
    ...(Object.keys(body.checksums).length > 0 ? { checksumType: "FULL_OBJECT" as const } : {}),
  };
  try {
    return await ctx.store.putObject(ctx.bucket, [{ path: file, size: body.size }], meta, precondition);
  } catch (error) {
    await unlink(file).catch(() => undefined);
    throw error;
  }
}

/** Makes a received (or copied) body in `file` part `partNumber` of an upload of ctx.key. */
export function storePartBody(
  ctx: RequestContext,
  uploadId: string,
  partNumber: number,
  file: string,
  body: BodyResult,
): Promise<PartMeta> {
  ctx.stats.bytesStored += body.size;
  return ctx.store.putPart(ctx.bucket, ctx.key, uploadId, file, {
    partNumber,
    size: body.size,
    etag: `"${body.md5Hex}"`,
    lastModified: new Date().toISOString(),
    checksums: body.checksums,
  });
}

export async function putObject(ctx: RequestContext): Promise<void> {
  ctx.store.bucket(ctx.bucket);
  if (ctx.key.length > 1024) throw new S3Error(400, "KeyTooLongError", "Your key is too long");
  const stored = storedHeaders(ctx);
  const expect = bodyExpectations(ctx, [], MAX_OBJECT_SIZE);
  const file = ctx.store.tmpFile();
  const precondition = writePrecondition(ctx);
  const body = await receiveBody(ctx.req, ctx.requestTaps(), file, expect);
  const meta = await storeObjectBody(ctx, file, body, stored, precondition);
  sendEmpty(ctx, 200, { ETag: meta.etag, ...checksumHeaders(meta.checksums, meta.checksumType) });
}

type Range = { start: number; end: number } | "unsatisfiable" | undefined;

/** Parses a single-range `bytes=` header as S3 does; anything else means "whole object". */
export function parseRange(value: string | undefined, size: number): Range {
  const match = value?.match(/^bytes=(\d*)-(\d*)$/);
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (match[2] !== "" && Number(match[2]) < start) return undefined;
  if (start >= size) return "unsatisfiable";
  return { start, end };
}

/** The request's If-* headers, named as `evaluateConditions` takes them (`prefix`: "x-amz-copy-source-" for copies). */
export function requestConditions(ctx: RequestContext, prefix = ""): Conditions {
  return {
    ifMatch: header(ctx.req, `${prefix}if-match`),
    ifNoneMatch: header(ctx.req, `${prefix}if-none-match`),
    ifModifiedSince: header(ctx.req, `${prefix}if-modified-since`),
    ifUnmodifiedSince: header(ctx.req, `${prefix}if-unmodified-since`),
  };
}

const RESPONSE_OVERRIDES: Array<[string, string]> = [
  ["response-content-type", "Content-Type"],
  ["response-content-disposition", "Content-Disposition"],
  ["response-content-language", "Content-Language"],
  ["response-content-encoding", "Content-Encoding"],
  ["response-cache-control", "Cache-Control"],
  ["response-expires", "Expires"],
];

export async function getObject(ctx: RequestContext, headOnly = false): Promise<void> {
  const meta = ctx.store.object(ctx.bucket, ctx.key);
  const condition = evaluateConditions(requestConditions(ctx), meta);
  if (condition === "failed") throw errors.preconditionFailed();
  const base: Record<string, string> = {
    ETag: meta.etag,
    "Last-Modified": httpDate(meta.lastModified),
    "Accept-Ranges": "bytes",
  };
  if (condition === "not-modified") return sendEmpty(ctx, 304, base);
  const headers: Record<string, string | number> = { ...base, ...objectHeaders(meta) };
  if (meta.partCount) headers["x-amz-mp-parts-count"] = meta.partCount;
  for (const [param, name] of RESPONSE_OVERRIDES) {
    const value = ctx.query.get(param);
    if (value !== undefined) headers[name] = value;
  }
  const range = parseRange(header(ctx.req, "range"), meta.size);
  if (range === "unsatisfiable") {
    ctx.res.setHeader("Content-Range", `bytes */${meta.size}`);
    throw errors.invalidRange(meta.size);
  }
  if (range === undefined && header(ctx.req, "x-amz-checksum-mode")?.toUpperCase() === "ENABLED") {
    Object.assign(headers, checksumHeaders(meta.checksums, meta.checksumType));
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? meta.size - 1;
  headers["Content-Length"] = Math.max(0, end - start + 1);
  if (range) headers["Content-Range"] = `bytes ${start}-${end}/${meta.size}`;
  const status = range ? 206 : 200;
  if (headOnly || meta.size === 0) {
    ctx.res.writeHead(status, headers);
    ctx.res.end();
    return;
  }
  const stream = ctx.store.readObject(ctx.bucket, meta, start, end);
  ctx.res.writeHead(status, headers);
  await pipeline([stream, ...ctx.responseTaps(), ctx.res]).catch(() => {
    // The client went away mid-body: nothing to clean up, the object is untouched.
  });
}

export async function deleteObject(ctx: RequestContext): Promise<void> {
  ctx.store.bucket(ctx.bucket);
  await ctx.store.deleteObject(ctx.bucket, ctx.key);
  sendEmpty(ctx, 204);
}

export async function deleteObjects(ctx: RequestContext): Promise<void> {
  ctx.store.bucket(ctx.bucket);
  if (
    !header(ctx.req, "content-md5") &&
    !CHECKSUM_ALGORITHMS.some((a) => header(ctx.req, headerName(a)) || header(ctx.req, "x-amz-trailer"))
  ) {
    throw errors.invalidRequest("Missing required header for this request: Content-MD5 OR x-amz-checksum-*");
  }
  const body = await receiveXml(ctx, "Delete");
  const objects = asArray(body.Object as Record<string, unknown> | Array<Record<string, unknown>>);
  if (objects.length > 1000) throw errors.malformedXml();
  const quiet = String(body.Quiet) === "true";
  const deleted: XmlNode[] = [];
  for (const object of objects) {
    if (typeof object.Key !== "string") throw errors.malformedXml();
    await ctx.store.deleteObject(ctx.bucket, object.Key);
    if (!quiet) deleted.push({ Key: object.Key });
  }
  sendXml(ctx, 200, xmlDocument("DeleteResult", { Deleted: deleted }));
}

// ---------- multipart ----------

export function uploadIdParam(ctx: RequestContext): string {
  return ctx.query.get("uploadId") ?? "";
}

export async function createMultipartUpload(ctx: RequestContext): Promise<void> {
  ctx.store.bucket(ctx.bucket);
  const stored = storedHeaders(ctx);
  const algorithm = parseAlgorithm(header(ctx.req, "x-amz-checksum-algorithm"), "x-amz-checksum-algorithm");
  const checksumType = header(ctx.req, "x-amz-checksum-type");
  if (checksumType !== undefined && checksumType.toUpperCase() !== "COMPOSITE") {
    throw errors.notImplemented(`x-amz-checksum-type: ${checksumType} (only COMPOSITE multipart checksums)`);
  }
  if (algorithm === "CRC64NVME")
    throw errors.invalidRequest("The CRC64NVME checksum algorithm supports only the FULL_OBJECT checksum type.");
  ctx.req.resume();
  const upload = await ctx.store.createUpload(ctx.bucket, {
    ...stored,
    key: ctx.key,
    ...(algorithm ? { checksumAlgorithm: algorithm } : {}),
  });
  const headers: Record<string, string> = {};
  if (algorithm) {
    headers["x-amz-checksum-algorithm"] = algorithm;
    headers["x-amz-checksum-type"] = "COMPOSITE";
  }
  sendXml(
    ctx,
    200,
    xmlDocument("InitiateMultipartUploadResult", { Bucket: ctx.bucket, Key: ctx.key, UploadId: upload.uploadId }),
    headers,
  );
}

export async function uploadPart(ctx: RequestContext): Promise<void> {
  const partNumber = parsePartNumber(ctx.query.get("partNumber"));
  const upload = ctx.store.upload(ctx.bucket, ctx.key, uploadIdParam(ctx));
  const algorithm = upload.meta.checksumAlgorithm;
  const expect = bodyExpectations(ctx, algorithm ? [algorithm] : [], MAX_PART_SIZE);
  const declared = [...Object.keys(expect.checksums), ...(expect.trailerAlgorithm ? [expect.trailerAlgorithm] : [])];
  if (algorithm && declared.some((a) => a !== algorithm)) {
    throw errors.invalidRequest(
      `Checksum Type mismatch occurred, expected checksum Type: ${algorithm.toLowerCase()}, actual checksum Type: ${declared[0]!.toLowerCase()}`,
    );
  }
  const file = ctx.store.tmpFile();
  const body = await receiveBody(ctx.req, ctx.requestTaps(), file, expect);
  const part = await storePartBody(ctx, upload.meta.uploadId, partNumber, file, body);
  const returned: Checksums = {};
  for (const a of declared.length > 0 ? declared : algorithm ? [algorithm] : [])
    returned[a as ChecksumAlgorithm] = part.checksums[a as ChecksumAlgorithm]!;
  sendEmpty(ctx, 200, { ETag: part.etag, ...checksumHeaders(returned) });
}

export async function listParts(ctx: RequestContext): Promise<void> {
  const upload = ctx.store.upload(ctx.bucket, ctx.key, uploadIdParam(ctx));
  const maxParts = intParam(ctx, "max-parts", 1000, 1000);
  const marker = intParam(ctx, "part-number-marker", 0, Number.MAX_SAFE_INTEGER);
  const all = [...upload.parts.values()]
    .filter((p) => p.partNumber > marker)
    .sort((a, b) => a.partNumber - b.partNumber);
  const page = all.slice(0, maxParts);
  const isTruncated = all.length > page.length;
  const algorithm = upload.meta.checksumAlgorithm;
  sendXml(
    ctx,
    200,
    xmlDocument("ListPartsResult", {
      Bucket: ctx.bucket,
      Key: ctx.key,
      UploadId: upload.meta.uploadId,
      PartNumberMarker: marker,
      NextPartNumberMarker: page.at(-1)?.partNumber ?? marker,
      MaxParts: maxParts,
      IsTruncated: isTruncated,
      Initiator: OWNER,
      Owner: OWNER,
      StorageClass: "STANDARD",
      ChecksumAlgorithm: algorithm,
      ChecksumType: algorithm ? "COMPOSITE" : undefined,
      Part: page.map((p) => ({
        PartNumber: p.partNumber,
        LastModified: p.lastModified,
        ETag: p.etag,
        Size: p.size,
        ...(algorithm ? checksumXml(p.checksums, algorithm) : {}),
      })),
    }),
  );
}

export async function completeMultipartUpload(ctx: RequestContext): Promise<void> {
  const uploadId = uploadIdParam(ctx);
  ctx.store.upload(ctx.bucket, ctx.key, uploadId);
  const body = await receiveXml(ctx, "CompleteMultipartUpload");
  const listed = parseCompletedParts(asArray(body.Part as Record<string, unknown> | Array<Record<string, unknown>>));
  const meta = await ctx.store.completeUpload(
    ctx.bucket,
    ctx.key,
    uploadId,
    (upload) => choosePartsToComplete(listed, upload, ctx.minPartSize),
    (parts, upload) => describeCompleted(parts, upload.meta.checksumAlgorithm),
    writePrecondition(ctx),
  );
  const host = header(ctx.req, "host") ?? "localhost";
  sendXml(
    ctx,
    200,
    xmlDocument("CompleteMultipartUploadResult", {
      Location: `http://${host}/${ctx.bucket}/${encodeURIComponent(ctx.key).replace(/%2F/g, "/")}`,
      Bucket: ctx.bucket,
      Key: ctx.key,
      ETag: meta.etag,
      ...checksumXml(meta.checksums),
      ChecksumType: meta.checksumType,
    }),
  );
}

export async function abortMultipartUpload(ctx: RequestContext): Promise<void> {
  await ctx.store.abortUpload(ctx.bucket, ctx.key, uploadIdParam(ctx));
  sendEmpty(ctx, 204);
}

export async function listMultipartUploads(ctx: RequestContext): Promise<void> {
  const prefix = ctx.query.get("prefix") ?? "";
  const keyMarker = ctx.query.get("key-marker") ?? "";
  const uploadIdMarker = ctx.query.get("upload-id-marker") ?? "";
  const maxUploads = intParam(ctx, "max-uploads", 1000, 1000);
  const all = ctx.store
    .listUploads(ctx.bucket)
    .map((u) => u.meta)
    .filter((u) => u.key.startsWith(prefix))
    .filter((u) => u.key > keyMarker || (u.key === keyMarker && uploadIdMarker !== "" && u.uploadId > uploadIdMarker))
    .sort((a, b) => (a.key === b.key ? a.uploadId.localeCompare(b.uploadId) : a.key < b.key ? -1 : 1));
  const page = all.slice(0, maxUploads);
  const isTruncated = all.length > page.length;
  sendXml(
    ctx,
    200,
    xmlDocument("ListMultipartUploadsResult", {
      Bucket: ctx.bucket,
      KeyMarker: keyMarker,
      UploadIdMarker: uploadIdMarker,
      NextKeyMarker: isTruncated ? page.at(-1)!.key : undefined,
      NextUploadIdMarker: isTruncated ? page.at(-1)!.uploadId : undefined,
      Prefix: prefix,
      MaxUploads: maxUploads,
      IsTruncated: isTruncated,
      Upload: page.map((u) => ({
        Key: u.key,
        UploadId: u.uploadId,
        Initiator: OWNER,
        Owner: OWNER,
        StorageClass: "STANDARD",
        Initiated: u.initiated,
        ChecksumAlgorithm: u.checksumAlgorithm,
      })),
    }),
  );
}
