import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { Transform } from "node:stream";
import type { AuthResult } from "./auth.js";
import type { CorsRule } from "./cors.js";
import type { Operation } from "./faults.js";
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

/** A request header as one string (repeated headers joined with ","), the one way this server reads them. */
export function header(message: { headers: IncomingHttpHeaders }, name: string): string | undefined {
  const value = message.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}
