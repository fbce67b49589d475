import type { IncomingMessage, ServerResponse } from "node:http";
import { header } from "./context.js";
import { S3Error, errors } from "./errors.js";
import { sendEmpty } from "./respond.js";

export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

/** S3 allows one "*" wildcard in AllowedOrigin and AllowedHeader values; header names match case-insensitively. */
function wildcardMatch(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  const v = caseInsensitive ? value.toLowerCase() : value;
  const star = p.indexOf("*");
  if (star === -1) return p === v;
  const head = p.slice(0, star);
  const tail = p.slice(star + 1);
  return v.length >= head.length + tail.length && v.startsWith(head) && v.endsWith(tail);
}

/** The first rule that allows this origin, method and request headers, as S3 evaluates CORS. */
export function matchCorsRule(
  rules: CorsRule[] | undefined,
  origin: string,
  method: string,
  requestHeaders: string[] = [],
): CorsRule | undefined {
  return rules?.find(
    (rule) =>
      rule.allowedOrigins.some((o) => wildcardMatch(o, origin, false)) &&
      rule.allowedMethods.includes(method.toUpperCase()) &&
      requestHeaders.every((h) => rule.allowedHeaders.some((allowed) => wildcardMatch(allowed, h, true))),
  );
}

/** The response headers for a request from `origin` that `rule` allows. */
export function corsHeaders(rule: CorsRule, origin: string): Record<string, string> {
  const anyOrigin = rule.allowedOrigins.includes("*");
  const headers: Record<string, string> = {
    "Access-Control-Allow-Origin": anyOrigin ? "*" : origin,
    "Access-Control-Allow-Methods": rule.allowedMethods.join(", "),
    Vary: "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
  };
  if (!anyOrigin) headers["Access-Control-Allow-Credentials"] = "true";
  if (rule.exposeHeaders.length > 0) headers["Access-Control-Expose-Headers"] = rule.exposeHeaders.join(", ");
  if (rule.maxAgeSeconds !== undefined) headers["Access-Control-Max-Age"] = String(rule.maxAgeSeconds);
  return headers;
}

/** The rule the app needs to upload from a browser page at `origin` and read back ETags and checksums. */
export function defaultCorsRule(origins: string[]): CorsRule {
  return {
    allowedOrigins: origins,
    allowedMethods: ["GET", "HEAD", "PUT", "POST", "DELETE"],
    allowedHeaders: ["*"],
    exposeHeaders: [
      "ETag",
      "x-amz-checksum-sha256",
      "x-amz-checksum-crc32",
      "x-amz-request-id",
      "Content-Range",
      "Accept-Ranges",
      "Content-Length",
    ],
    maxAgeSeconds: 3000,
  };
}

/**
 * Answers a preflight (OPTIONS) request as S3 does. `rules` gives the bucket's rules (its own, else the
 * default) and throws NoSuchBucket; it is asked only once the request has said what it wants.
 */
export function answerPreflight(req: IncomingMessage, res: ServerResponse, rules: () => CorsRule[] | undefined): void {
  const origin = header(req, "origin");
  const requestMethod = header(req, "access-control-request-method");
  if (!origin || !requestMethod) {
    throw new S3Error(400, "BadRequest", "Insufficient information. Origin request header needed.");
  }
  const bucketRules = rules();
  const requested = (header(req, "access-control-request-headers") ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  const rule = matchCorsRule(bucketRules, origin, requestMethod, requested);
  if (!rule) throw errors.corsForbidden();
  const headers: Record<string, string> = { ...corsHeaders(rule, origin) };
  if (requested.length > 0) headers["Access-Control-Allow-Headers"] = requested.join(", ");
  sendEmpty(res, 200, headers);
}

/** Adds to the answer the CORS headers of the rule that allows this cross-origin request, if one does. */
export function allowCrossOrigin(req: IncomingMessage, res: ServerResponse, rules: CorsRule[] | undefined): void {
  const origin = header(req, "origin");
  if (!origin) return;
  const rule = matchCorsRule(rules, origin, req.method ?? "GET");
  if (rule) for (const [name, value] of Object.entries(corsHeaders(rule, origin))) res.setHeader(name, value);
}
