import { header, type RequestContext } from "./context.js";
import { errors } from "./errors.js";
import type { ObjectMeta, WritePrecondition } from "./records.js";

/** An ETag without its quotes, so `"abc"` and `abc` compare equal. */
export const normalizeEtag = (etag: string) => etag.trim().replace(/^"|"$/g, "");

/** Whether an If-Match / If-None-Match value ("*" or a list of ETags) matches `etag`. */
export function etagMatches(condition: string, etag: string): boolean {
  if (condition.trim() === "*") return true;
  const wanted = normalizeEtag(etag);
  return condition.split(",").some((candidate) => normalizeEtag(candidate) === wanted);
}

export interface Conditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifUnmodifiedSince?: string;
}

/**
 * HTTP's conditional headers against an object, as S3 evaluates them: "failed" (412) when If-Match or
 * If-Unmodified-Since does not hold, "not-modified" (304 on reads) when If-None-Match or If-Modified-Since
 * does not. A given If-Match overrides If-Unmodified-Since, and If-None-Match overrides If-Modified-Since.
 */
export function evaluateConditions(c: Conditions, meta: ObjectMeta): "failed" | "not-modified" | undefined {
  const modified = new Date(meta.lastModified).getTime();
  // HTTP dates have whole seconds, the stored time milliseconds; a date that does not parse is ignored.
  const since = (date: string | undefined) => (date ? Date.parse(date) + 999 : NaN);
  const unmodifiedSince = since(c.ifUnmodifiedSince);
  const modifiedSince = since(c.ifModifiedSince);
  if (c.ifMatch !== undefined && !etagMatches(c.ifMatch, meta.etag)) return "failed";
  if (c.ifMatch === undefined && modified > unmodifiedSince) return "failed";
  if (c.ifNoneMatch !== undefined && etagMatches(c.ifNoneMatch, meta.etag)) return "not-modified";
  if (c.ifNoneMatch === undefined && modified <= modifiedSince) return "not-modified";
  return undefined;
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

/**
 * S3's conditional writes: `If-None-Match: *` (only if the key is free) and `If-Match: <etag>` (only over
 * that version), evaluated when the write commits.
 */
export function writePrecondition(ctx: RequestContext): WritePrecondition | undefined {
  const { ifMatch, ifNoneMatch } = requestConditions(ctx);
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
