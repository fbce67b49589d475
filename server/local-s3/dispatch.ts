import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { hasAuthentication, parseRawQuery, verifySignature, type Credentials } from "./auth.js";
import { header } from "./context.js";
import { answerControl } from "./control.js";
import { allowCrossOrigin, answerPreflight, type CorsRule } from "./cors.js";
import { S3Error, errors } from "./errors.js";
import { faultEffect, type LocalS3Event } from "./events.js";
import { applyFault, type Taps } from "./fault-effects.js";
import type { FaultInjector, FaultTarget } from "./faults.js";
import type { Operation } from "./operations.js";
import { identifyResponse, sendError } from "./respond.js";
import { HANDLERS, resolveOperation } from "./router.js";
import type { OperationStats, StatsCounter } from "./stats.js";
import type { Store } from "./store.js";
import { counter } from "./taps.js";

/** The server's state and settings that answering a request needs. */
export interface Services {
  store: Store;
  faults: FaultInjector;
  stats: StatsCounter;
  credentials: Credentials;
  /** The CORS rules of buckets that have none of their own. */
  defaultCors?: CorsRule[];
  minPartSize: number;
  /** Told of each fault injected. */
  log?: (event: LocalS3Event) => void;
}

/** Bodies up to this size are read and discarded before an early error answer, so browsers see the answer rather than a reset. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

/** Reads and discards what is left of a request body, or marks the connection to close if it is too big for that. */
async function drain(req: IncomingMessage, res: ServerResponse, onBytes: (n: number) => void): Promise<void> {
  if (req.complete || req.destroyed) return;
  const length = Number(header(req, "content-length") ?? NaN);
  if (!(length <= DRAIN_LIMIT)) {
    res.setHeader("Connection", "close");
    return;
  }
  await new Promise<void>((resolve) => {
    req.on("data", (chunk: Buffer) => onBytes(chunk.length));
    req.once("end", resolve);
    req.once("close", resolve);
    req.resume();
  });
}

/** The bucket and key of a path-style request path. */
function parsePath(rawPath: string): { bucket: string; key: string } {
  const slash = rawPath.indexOf("/", 1);
  try {
    return {
      bucket: decodeURIComponent(slash === -1 ? rawPath.slice(1) : rawPath.slice(1, slash)),
      key: slash === -1 ? "" : decodeURIComponent(rawPath.slice(slash + 1)),
    };
  } catch {
    throw errors.invalidArgument("Invalid percent-encoding in the path");
  }
}

/** Requests seen so far on each connection: a fault rule may want requests that come first on theirs. */
const requestsOnConnection = new WeakMap<Socket, number>();

function firstOnConnection(req: IncomingMessage): boolean {
  const seen = requestsOnConnection.get(req.socket) ?? 0;
  requestsOnConnection.set(req.socket, seen + 1);
  return seen === 0;
}

/** Picks and applies the fault (if any) for this request, and reports it; "stop" when the handler must not run. */
async function injectFault(
  req: IncomingMessage,
  res: ServerResponse,
  services: Services,
  target: FaultTarget,
  taps: Taps,
): Promise<"stop" | "go"> {
  const picked = services.faults.pick(target);
  if (!picked) return "go";
  services.stats.of(target.op).faults += 1;
  const { op, bucket, key, partNumber } = target;
  const effect = faultEffect(picked.rule);
  services.log?.({ type: "fault", rule: picked.index, fault: picked.rule.fault, effect, op, bucket, key, partNumber });
  return applyFault(picked.rule, req, res, op, taps);
}

/** Answers a failed request with its S3 error (anything else is an InternalError), once its body is out of the way. */
async function answerFailure(
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  answer: { resource: string; requestId: string; stats: () => OperationStats; countError: boolean },
): Promise<void> {
  if (res.headersSent || res.destroyed || req.socket.destroyed) return;
  const s3Error = error instanceof S3Error ? error : errors.internal();
  if (!(error instanceof S3Error)) console.error("local-s3: internal error", error);
  if (answer.countError) answer.stats().errors += 1;
  await drain(req, res, (n) => (answer.stats().bytesReceived += n));
  if (res.destroyed) return;
  sendError(res, s3Error, answer.resource, answer.requestId, req.method === "HEAD");
}

/**
 * Answers one request: a control endpoint, or an S3 operation on its way through CORS, fault injection,
 * signature verification and its handler.
 */
export async function dispatch(req: IncomingMessage, res: ServerResponse, services: Services): Promise<void> {
  const requestId = identifyResponse(res);
  const freshConnection = firstOnConnection(req);
  // So that each request comes on a new connection, where a fault reaches the client (see fault-rules.ts).
  if (services.faults.wantsFreshConnections()) res.setHeader("Connection", "close");
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const rawPath = q === -1 ? url : url.slice(0, q);
  const search = q === -1 ? "" : url.slice(q + 1);
  if (rawPath.startsWith("/_local/")) return answerControl(req, res, rawPath, services);
  const { store, stats } = services;
  const method = req.method ?? "GET";
  let op: Operation | undefined;
  const operationStats = () => stats.of(op ?? "ListBuckets");
  try {
    const { bucket, key } = parsePath(rawPath);
    const rawQuery = parseRawQuery(search);
    const query = new Map(rawQuery);
    op = resolveOperation(method, bucket, key, query, header(req, "x-amz-copy-source") !== undefined);
    if (!op) throw errors.methodNotAllowed();
    operationStats().requests += 1;
    const bucketRules = () => store.bucket(bucket).cors ?? services.defaultCors;
    if (op === "Preflight") return answerPreflight(req, res, bucketRules);
    allowCrossOrigin(req, res, store.hasBucket(bucket) ? bucketRules() : undefined);
    const taps: Taps = {
      request: [counter((n) => (operationStats().bytesReceived += n))],
      response: [counter((n) => (operationStats().bytesSent += n))],
    };
    const partNumber = op === "UploadPart" || op === "UploadPartCopy" ? Number(query.get("partNumber")) : undefined;
    const target = { op, bucket, key, partNumber, freshConnection };
    if ((await injectFault(req, res, services, target, taps)) === "stop") return;
    const signed = { method, rawPath, query: rawQuery, headers: req.headers };
    if (!hasAuthentication(signed)) throw errors.accessDenied();
    const auth = await verifySignature(signed, services.credentials);
    await HANDLERS[op]({
      req,
      res,
      op,
      bucket,
      key,
      query,
      requestId,
      auth,
      store,
      stats: operationStats(),
      requestTaps: () => taps.request,
      responseTaps: () => taps.response,
      minPartSize: services.minPartSize,
      defaultCors: services.defaultCors,
    });
  } catch (error) {
    await answerFailure(req, res, error, { resource: rawPath, requestId, stats: operationStats, countError: !!op });
  }
}
