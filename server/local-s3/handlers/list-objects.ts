import { intParam, type RequestContext } from "../context.js";
import { errors } from "../errors.js";
import { listKeys, type Listing } from "../listing.js";
import { OWNER, sendXml } from "../respond.js";
import type { ObjectMeta } from "../records.js";
import { xmlDocument, type XmlNode } from "../xml.js";

/** The query that the three object listings share. */
interface ListingQuery {
  prefix: string;
  delimiter: string;
  maxKeys: number;
}

/** How one of the three listings answers: its document, its own paging fields, and how it writes an object. */
interface ListingAnswer {
  root: "ListBucketResult" | "ListVersionsResult";
  /** The fields that say where this page started and where the next one starts. */
  paging: (listing: Listing) => XmlNode;
  entryTag: "Contents" | "Version";
  entry: (meta: ObjectMeta) => XmlNode;
}

function listingQuery(ctx: RequestContext): ListingQuery {
  return {
    prefix: ctx.query.get("prefix") ?? "",
    delimiter: ctx.query.get("delimiter") ?? "",
    maxKeys: intParam(ctx, "max-keys", 1000, 1000),
  };
}

/** A key as the listing writes it: URL-encoded (but for "/") when the client asked with encoding-type=url. */
function encodeKey(ctx: RequestContext, key: string): string {
  return ctx.query.get("encoding-type") === "url" ? encodeURIComponent(key).replace(/%2F/g, "/") : key;
}

/** Lists the page of the bucket's keys after `after` and answers it: the one builder of the three listing results. */
function sendListing(ctx: RequestContext, query: ListingQuery, after: string, answer: ListingAnswer): void {
  const objects = ctx.store.bucket(ctx.bucket).objects;
  const listing = listKeys([...objects.keys()].sort(), { ...query, after });
  sendXml(
    ctx,
    200,
    xmlDocument(answer.root, {
      Name: ctx.bucket,
      Prefix: encodeKey(ctx, query.prefix),
      ...answer.paging(listing),
      MaxKeys: query.maxKeys,
      Delimiter: query.delimiter || undefined,
      EncodingType: ctx.query.get("encoding-type"),
      IsTruncated: listing.isTruncated,
      [answer.entryTag]: listing.entries.flatMap((e) => (e.type === "key" ? [answer.entry(objects.get(e.key)!)] : [])),
      CommonPrefixes: listing.entries.flatMap((e) =>
        e.type === "prefix" ? [{ Prefix: encodeKey(ctx, e.prefix) }] : [],
      ),
    }),
  );
}

/** An object as ListObjects and ListObjectsV2 write it. */
function contentsEntry(ctx: RequestContext, withOwner: boolean): (meta: ObjectMeta) => XmlNode {
  return (meta) => {
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
  };
}

/** ListObjectsV2 pages with an opaque continuation token: here the last key or prefix, base64url-encoded. */
function continuationAfter(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  const after = Buffer.from(token, "base64url").toString("utf8");
  if (Buffer.from(after, "utf8").toString("base64url") !== token) {
    throw errors.invalidArgument("The continuation token provided is incorrect", "continuation-token", token);
  }
  return after;
}

export async function listObjectsV2(ctx: RequestContext): Promise<void> {
  const query = listingQuery(ctx);
  const token = ctx.query.get("continuation-token");
  const startAfter = ctx.query.get("start-after") ?? "";
  sendListing(ctx, query, continuationAfter(token) ?? startAfter, {
    root: "ListBucketResult",
    paging: (listing) => ({
      KeyCount: listing.entries.length,
      ContinuationToken: token,
      NextContinuationToken: listing.isTruncated ? Buffer.from(listing.last!, "utf8").toString("base64url") : undefined,
      StartAfter: startAfter || undefined,
    }),
    entryTag: "Contents",
    entry: contentsEntry(ctx, ctx.query.get("fetch-owner") === "true"),
  });
}

export async function listObjects(ctx: RequestContext): Promise<void> {
  const query = listingQuery(ctx);
  const marker = ctx.query.get("marker") ?? "";
  sendListing(ctx, query, marker, {
    root: "ListBucketResult",
    paging: (listing) => ({
      Marker: encodeKey(ctx, marker),
      NextMarker: listing.isTruncated && query.delimiter ? encodeKey(ctx, listing.last!) : undefined,
    }),
    entryTag: "Contents",
    entry: contentsEntry(ctx, true),
  });
}

/** Unversioned buckets answer with every object as its only version, VersionId "null", as S3 does. */
export async function listObjectVersions(ctx: RequestContext): Promise<void> {
  const query = listingQuery(ctx);
  const keyMarker = ctx.query.get("key-marker") ?? "";
  sendListing(ctx, query, keyMarker, {
    root: "ListVersionsResult",
    paging: (listing) => ({
      KeyMarker: encodeKey(ctx, keyMarker),
      VersionIdMarker: ctx.query.get("version-id-marker") ?? "",
      NextKeyMarker: listing.isTruncated ? encodeKey(ctx, listing.last!) : undefined,
      NextVersionIdMarker: listing.isTruncated ? "null" : undefined,
    }),
    entryTag: "Version",
    entry: (meta) => ({
      Key: encodeKey(ctx, meta.key),
      VersionId: "null",
      IsLatest: true,
      LastModified: meta.lastModified,
      ETag: meta.etag,
      Size: meta.size,
      StorageClass: "STANDARD",
      Owner: OWNER,
    }),
  });
}
