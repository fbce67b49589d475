import type { Handler, RequestContext } from "../context.js";
import type { CorsRule } from "../cors.js";
import { errors } from "../errors.js";
import { receiveXml } from "../receive.js";
import { OWNER, sendEmpty, sendXml } from "../respond.js";
import { asArray, xmlDocument } from "../xml.js";

/**
 * Query parameters that select another S3 API on the same path ("subresources"). Those this server
 * does not implement must never fall through to the plain object or bucket operation: a
 * `DELETE /bucket/key?tagging` would otherwise delete the object, and a `GET ?acl` would return its bytes.
 */
const OTHER_SUBRESOURCES = [
  "accelerate",
  "acl",
  "analytics",
  "attributes",
  "encryption",
  "intelligent-tiering",
  "inventory",
  "legal-hold",
  "lifecycle",
  "logging",
  "metrics",
  "metadataTable",
  "notification",
  "object-lock",
  "ownershipControls",
  "policy",
  "policyStatus",
  "publicAccessBlock",
  "replication",
  "requestPayment",
  "restore",
  "retention",
  "select",
  "session",
  "tagging",
  "torrent",
  "versioning",
  "website",
];

/** The subresource of a request that selects an API this server does not implement, if any. */
export function otherSubresource(query: Map<string, string>): string | undefined {
  return OTHER_SUBRESOURCES.find((name) => query.has(name));
}

/** Any other subresource API: refused whole, so that it never acts as the plain object or bucket call. */
export async function unsupported(ctx: RequestContext): Promise<void> {
  throw errors.notImplemented(`?${otherSubresource(ctx.query) ?? "subresource"} (${ctx.req.method})`);
}

// The answers S3 gives for configurations nobody set.

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

/** A bucket configuration nobody set: S3's 404 with the configuration's own code, once the bucket is known. */
function notConfigured(code: string, message: string): Handler {
  return async (ctx) => {
    ctx.store.bucket(ctx.bucket);
    throw errors.notConfigured(code, message, ctx.bucket);
  };
}

export const getBucketPolicy = notConfigured("NoSuchBucketPolicy", "The bucket policy does not exist");
export const getBucketLifecycleConfiguration = notConfigured(
  "NoSuchLifecycleConfiguration",
  "The lifecycle configuration does not exist",
);
export const getBucketTagging = notConfigured("NoSuchTagSet", "The TagSet does not exist");

/** Versioning is never enabled here: S3 answers an empty configuration for such a bucket. */
export async function getBucketVersioning(ctx: RequestContext): Promise<void> {
  ctx.store.bucket(ctx.bucket);
  sendXml(ctx, 200, xmlDocument("VersioningConfiguration", {}));
}

/** Objects here carry no tags: S3 answers an empty tag set. */
export async function getObjectTagging(ctx: RequestContext): Promise<void> {
  ctx.store.object(ctx.bucket, ctx.key);
  sendXml(ctx, 200, xmlDocument("Tagging", { TagSet: {} }));
}

// ?cors: the one bucket configuration stored here.

const CORS_METHODS = ["GET", "PUT", "POST", "DELETE", "HEAD"];

/** One <CORSRule> of a PutBucketCors body, refused as S3 refuses it. */
function parseCorsRule(rule: Record<string, unknown>): CorsRule {
  // Values are parsed untrimmed (object keys need that); CORS values are names and origins, never padded.
  const strings = (v: unknown) => asArray(v as string | string[]).map((value) => String(value).trim());
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
    if (!CORS_METHODS.includes(method)) {
      throw errors.invalidRequest(`Found unsupported HTTP method in CORS config. Unsupported method is ${method}`);
    }
  }
  return parsed;
}

export async function putBucketCors(ctx: RequestContext): Promise<void> {
  ctx.store.bucket(ctx.bucket);
  const body = await receiveXml(ctx, "CORSConfiguration");
  const rules = asArray(body.CORSRule as Record<string, unknown> | Array<Record<string, unknown>>).map(parseCorsRule);
  if (rules.length === 0) throw errors.malformedXml();
  await ctx.store.setCors(ctx.bucket, rules);
  sendEmpty(ctx.res, 200);
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
  sendEmpty(ctx.res, 204);
}
