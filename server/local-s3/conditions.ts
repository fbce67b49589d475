import type { ObjectMeta } from "./store.js";

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
