import { CHECKSUM_ALGORITHMS, headerName, xmlName, type ChecksumAlgorithm, type Checksums } from "./checksums.js";
import { header, type RequestContext } from "./context.js";
import { S3Error } from "./errors.js";
import { asUtf8, decodeEncodedWords, mailSafe } from "./header-text.js";
import type { StoredHeaders } from "./records.js";
import type { XmlNode } from "./xml.js";

const MAX_METADATA_BYTES = 2 * 1024;
const METADATA_PREFIX = "x-amz-meta-";

/** The headers S3 stores with an object: its field, and the header that sets it on a write and returns it on a read. */
const HEADER_FIELDS: Array<[keyof Omit<StoredHeaders, "metadata">, string]> = [
  ["contentType", "Content-Type"],
  ["contentDisposition", "Content-Disposition"],
  ["contentEncoding", "Content-Encoding"],
  ["contentLanguage", "Content-Language"],
  ["cacheControl", "Cache-Control"],
  ["expires", "Expires"],
];

/** The content codings a request lists in Content-Encoding, in order. */
export function contentCodings(ctx: RequestContext): string[] {
  return (header(ctx.req, "content-encoding") ?? "").split(",").map((coding) => coding.trim());
}

/**
 * A metadata value as S3 stores it: text beyond ASCII read as the client meant it (see AuthResult.headerText),
 * and RFC 2047 encoded words decoded.
 */
function metadataValue(ctx: RequestContext, sent: string): string {
  return decodeEncodedWords(ctx.auth.headerText === "utf8" ? (asUtf8(sent) ?? sent) : sent);
}

/** The request's x-amz-meta-* headers, by name without the prefix, within S3's 2 KiB limit. */
function userMetadata(ctx: RequestContext): Record<string, string> {
  const metadata: Record<string, string> = {};
  let metadataBytes = 0;
  for (const name of Object.keys(ctx.req.headers)) {
    const sent = name.startsWith(METADATA_PREFIX) ? header(ctx.req, name) : undefined;
    if (sent === undefined) continue;
    const metaName = name.slice(METADATA_PREFIX.length);
    const value = metadataValue(ctx, sent);
    metadataBytes += metaName.length + Buffer.byteLength(value, "utf8");
    metadata[metaName] = value;
  }
  if (metadataBytes > MAX_METADATA_BYTES) {
    throw new S3Error(400, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.", {
      Size: metadataBytes,
      MaxSizeAllowed: MAX_METADATA_BYTES,
    });
  }
  return metadata;
}

/** What a write (PutObject, CreateMultipartUpload, CopyObject with REPLACE) stores from its request headers. */
export function storedHeaders(ctx: RequestContext): StoredHeaders {
  const stored: StoredHeaders = { metadata: userMetadata(ctx) };
  for (const [field, name] of HEADER_FIELDS) {
    // aws-chunked is transfer framing, not a property of the stored object.
    const value =
      field === "contentEncoding"
        ? contentCodings(ctx)
            .filter((coding) => coding !== "aws-chunked")
            .join(",") || undefined
        : header(ctx.req, name.toLowerCase());
    if (value !== undefined) stored[field] = value;
  }
  return stored;
}

/** The stored headers of an object, without its other fields (what CopyObject copies by default). */
export function headersOf(meta: StoredHeaders): StoredHeaders {
  const out: StoredHeaders = { metadata: { ...meta.metadata } };
  for (const [field] of HEADER_FIELDS) if (meta[field] !== undefined) out[field] = meta[field];
  return out;
}

/** The stored headers as a read (GET/HEAD) answers them. */
export function objectHeaders(meta: StoredHeaders): Record<string, string> {
  const out: Record<string, string> = { "Content-Type": meta.contentType ?? "binary/octet-stream" };
  for (const [field, name] of HEADER_FIELDS) if (meta[field]) out[name] = meta[field];
  for (const [name, value] of Object.entries(meta.metadata)) out[`${METADATA_PREFIX}${name}`] = mailSafe(value);
  return out;
}

/** GetObject's response-* query parameters, which replace stored headers in this one answer. */
export function responseOverrides(ctx: RequestContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [, name] of HEADER_FIELDS) {
    const value = ctx.query.get(`response-${name.toLowerCase()}`);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Checksums as x-amz-checksum-* answer headers, with their type when there are any. */
export function checksumHeaders(checksums: Checksums, checksumType?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [algorithm, value] of Object.entries(checksums)) out[headerName(algorithm as ChecksumAlgorithm)] = value;
  if (checksumType && Object.keys(out).length > 0) out["x-amz-checksum-type"] = checksumType;
  return out;
}

/** Checksums as Checksum* XML elements (`only`: just that algorithm's). */
export function checksumXml(checksums: Checksums, only?: ChecksumAlgorithm): XmlNode {
  const node: XmlNode = {};
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    if (only !== undefined && algorithm !== only) continue;
    if (checksums[algorithm] !== undefined) node[xmlName(algorithm)] = checksums[algorithm];
  }
  return node;
}
