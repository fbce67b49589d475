import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { Transform } from "node:stream";
import type { AuthResult } from "./auth.js";
import { errors } from "./errors.js";
import type { CorsRule } from "./cors.js";
import type { Operation } from "./operations.js";
import type { OperationStats } from "./stats.js";
import type { Store } from "./store.js";

/** Everything a handler needs about one request. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  op: Operation;
  bucket: string;
  key: string;
  query: Map<string, string>;
  requestId: string;
  auth: AuthResult;
  store: Store;
  stats: OperationStats;
  /** Fault and accounting stages for the request body, in order. */
  requestTaps: () => Transform[];
  /** Fault and accounting stages for a response body, in order. */
  responseTaps: () => Transform[];
  minPartSize: number;
  defaultCors?: CorsRule[];
}

/** What answers one operation. */
export type Handler = (ctx: RequestContext) => Promise<void>;

/** A request header as one string (repeated headers joined with ","), the one way this server reads them. */
export function header(message: { headers: IncomingHttpHeaders }, name: string): string | undefined {
  const value = message.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

/** Whether the request has a body (a length above zero, or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  return Number(header(req, "content-length") ?? 0) > 0 || header(req, "transfer-encoding") !== undefined;
}

/** An integer query parameter (`fallback` when absent), capped at `max`; anything else is S3's InvalidArgument. */
export function intParam(ctx: RequestContext, name: string, fallback: number, max: number): number {
  const raw = ctx.query.get(name);
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw))
    throw errors.invalidArgument(`Provided ${name} not an integer or within integer range`, name, raw);
  return Math.min(Number(raw), max);
}

/** The multipart upload a request names ("" when none, which no upload matches). */
export function uploadIdParam(ctx: RequestContext): string {
  return ctx.query.get("uploadId") ?? "";
}
