import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { hasAuthentication, parseRawQuery, verifySignature, type Credentials } from "./auth.js";
import { header, type RequestContext } from "./context.js";
import { corsHeaders, defaultCorsRule, matchCorsRule, type CorsRule } from "./cors.js";
import { S3Error, errors } from "./errors.js";
import {
  FaultInjector,
  faultErrorCode,
  faultRulesSchema,
  type FaultRule,
  type FaultRuleInput,
  type Operation,
} from "./faults.js";
import * as handlers from "./handlers.js";
import { DEFAULT_MIN_PART_SIZE } from "./multipart.js";
import { resolveOperation } from "./router.js";
import { copyObject, uploadPartCopy } from "./copy.js";
import { StatsCounter, type Stats } from "./stats.js";
import { Store } from "./store.js";
import { counter, resetAfter, throttle } from "./taps.js";
import { errorXml } from "./xml.js";

export interface LocalS3Options {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  dataDir: string;
  credentials: Credentials;
  /** Buckets to create at start if missing. */
  buckets?: string[];
  /** Origins allowed by the default CORS rule, used by buckets that have no CORS configuration of their own. */
  corsOrigins?: string[];
  faults?: FaultRuleInput[];
  seed?: number;
  /** S3's 5 MiB minimum for every part but the last; lower it only in the server's own tests. */
  minPartSize?: number;
}

export interface LocalS3 {
  url: string;
  port: number;
  store: Store;
  stop(): Promise<void>;
  setFaults(rules: FaultRuleInput[], seed?: number): void;
  stats(): Stats;
  resetStats(): void;
}

const HANDLERS: Record<Exclude<Operation, "Preflight">, (ctx: RequestContext) => Promise<void>> = {
  ListBuckets: handlers.listBuckets,
  CreateBucket: handlers.createBucket,
  HeadBucket: handlers.headBucket,
  DeleteBucket: handlers.deleteBucket,
  GetBucketLocation: handlers.getBucketLocation,
  PutBucketCors: handlers.putBucketCors,
  GetBucketCors: handlers.getBucketCors,
  DeleteBucketCors: handlers.deleteBucketCors,
  PutObject: handlers.putObject,
  CopyObject: copyObject,
  GetObject: (ctx) => handlers.getObject(ctx),
  HeadObject: (ctx) => handlers.getObject(ctx, true),
  DeleteObject: handlers.deleteObject,
  DeleteObjects: handlers.deleteObjects,
  ListObjects: handlers.listObjects,
  ListObjectsV2: handlers.listObjectsV2,
  ListObjectVersions: handlers.listObjectVersions,
  CreateMultipartUpload: handlers.createMultipartUpload,
  UploadPart: handlers.uploadPart,
  UploadPartCopy: uploadPartCopy,
  ListParts: handlers.listParts,
  CompleteMultipartUpload: handlers.completeMultipartUpload,
  AbortMultipartUpload: handlers.abortMultipartUpload,
  ListMultipartUploads: handlers.listMultipartUploads,
  GetBucketAcl: handlers.getAcl,
  GetObjectAcl: handlers.getAcl,
  GetBucketPolicy: handlers.getBucketPolicy,
  GetBucketVersioning: handlers.getBucketVersioning,
  GetBucketLifecycleConfiguration: handlers.getBucketLifecycleConfiguration,
  GetBucketTagging: handlers.getBucketTagging,
  GetObjectTagging: handlers.getObjectTagging,
  Unsupported: handlers.unsupported,
};

/** Bodies up to this size are read and discarded before an early error answer, so browsers see the answer rather than a reset. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

const faultsBodySchema = z.union([
  faultRulesSchema,
  z.object({ rules: faultRulesSchema, seed: z.number().int().optional() }),
]);

function hasBody(req: IncomingMessage): boolean {
  return Number(header(req, "content-length") ?? 0) > 0 || header(req, "transfer-encoding") !== undefined;
}

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

/** A request body as JSON (undefined when empty). */
async function readJsonRequest(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : JSON.parse(text);
}

export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  const store = await Store.open(options.dataDir);
  for (const bucket of options.buckets ?? []) if (!store.hasBucket(bucket)) await store.createBucket(bucket);
  const defaultCors: CorsRule[] | undefined = options.corsOrigins?.length
    ? [defaultCorsRule(options.corsOrigins)]
    : undefined;
  const faults = new FaultInjector(options.faults ?? [], options.seed ?? 1);
  const stats = new StatsCounter();
  const minPartSize = options.minPartSize ?? DEFAULT_MIN_PART_SIZE;

  function sendJson(res: ServerResponse, status: number, value: unknown): void {
    const body = JSON.stringify(value);
    res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
    res.end(body);
  }

  async function control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === "/_local/health") return sendJson(res, 200, { ok: true });
    if (path === "/_local/stats") {
      if (req.method === "DELETE") stats.reset();
      return sendJson(res, 200, stats.snapshot());
    }
    if (path === "/_local/faults") {
      if (req.method === "GET") return sendJson(res, 200, faults.state());
      if (req.method === "DELETE") {
        faults.set([]);
        return sendJson(res, 200, faults.state());
      }
      if (req.method === "PUT" || req.method === "POST") {
        let body: unknown;
        try {
          body = faultsBodySchema.parse(await readJsonRequest(req));
        } catch (error) {
          return sendJson(res, 400, {
            error: { code: "InvalidFaults", message: error instanceof Error ? error.message : String(error) },
          });
        }
        const parsed = body as FaultRule[] | { rules: FaultRule[]; seed?: number };
        if (Array.isArray(parsed)) faults.set(parsed);
        else faults.set(parsed.rules, parsed.seed);
        return sendJson(res, 200, faults.state());
      }
    }
    sendJson(res, 404, { error: { code: "NotFound", message: `No control endpoint ${req.method} ${path}` } });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomBytes(8).toString("hex").toUpperCase();
    res.setHeader("x-amz-request-id", requestId);
    res.setHeader("x-amz-id-2", randomBytes(24).toString("base64"));
    res.setHeader("Server", "LocalS3");
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const rawPath = q === -1 ? url : url.slice(0, q);
    const search = q === -1 ? "" : url.slice(q + 1);
    if (rawPath.startsWith("/_local/")) return control(req, res, rawPath);

    const method = req.method ?? "GET";
    let op: Operation | undefined;
    let bucket = "";
    let key = "";
    let ctx: RequestContext | undefined;
    const operationStats = () => stats.of(op ?? "ListBuckets");
    try {
      const slash = rawPath.indexOf("/", 1);
      try {
        bucket = decodeURIComponent(slash === -1 ? rawPath.slice(1) : rawPath.slice(1, slash));
        key = slash === -1 ? "" : decodeURIComponent(rawPath.slice(slash + 1));
      } catch {
        throw errors.invalidArgument("Invalid percent-encoding in the path");
      }
      const rawQuery = parseRawQuery(search);
      const query = new Map(rawQuery);
      op = resolveOperation(method, bucket, key, query, header(req, "x-amz-copy-source") !== undefined);
      if (!op) throw errors.methodNotAllowed();
      operationStats().requests += 1;

      const origin = header(req, "origin");
      const rules = store.hasBucket(bucket) ? (store.bucket(bucket).cors ?? defaultCors) : undefined;
      if (op === "Preflight") {
        const requestMethod = header(req, "access-control-request-method");
        if (!origin || !requestMethod) {
          throw new S3Error(400, "BadRequest", "Insufficient information. Origin request header needed.");
        }
        store.bucket(bucket);
        const requested = (header(req, "access-control-request-headers") ?? "")
          .split(",")
          .map((h) => h.trim())
          .filter(Boolean);
        const rule = matchCorsRule(rules, origin, requestMethod, requested);
        if (!rule) throw errors.corsForbidden();
        const headers: Record<string, string> = { ...corsHeaders(rule, origin) };
        if (requested.length > 0) headers["Access-Control-Allow-Headers"] = requested.join(", ");
        res.writeHead(200, { ...headers, "Content-Length": 0 });
        res.end();
        return;
      }
      if (origin) {
        const rule = matchCorsRule(rules, origin, method);
        if (rule) for (const [name, value] of Object.entries(corsHeaders(rule, origin))) res.setHeader(name, value);
      }

      const partNumber = op === "UploadPart" || op === "UploadPartCopy" ? Number(query.get("partNumber")) : undefined;
      const fault = faults.pick(op, bucket, key, partNumber);
      const requestTaps = [counter((n) => (operationStats().bytesReceived += n))];
      const responseTaps = [counter((n) => (operationStats().bytesSent += n))];
      if (fault) {
        operationStats().faults += 1;
        switch (fault.fault) {
          case "stall":
            return; // Accept and never answer: the client's timeout is what is under test.
          case "delay":
            await sleep(fault.ms);
            break;
          case "status":
            throw new S3Error(fault.status, faultErrorCode(fault), "Injected fault: please retry.");
          case "expire":
            throw errors.expired(new Date(Date.now() - 1000), new Date());
          case "throttle":
            requestTaps.push(throttle(fault.bytesPerSecond));
            responseTaps.push(throttle(fault.bytesPerSecond));
            break;
          case "reset":
            if (hasBody(req)) requestTaps.push(resetAfter(fault.afterBytes, req.socket));
            else if (op === "GetObject") responseTaps.push(resetAfter(fault.afterBytes, req.socket));
            else {
              req.socket.resetAndDestroy();
              return;
            }
            break;
        }
      }

      if (!hasAuthentication({ method, rawPath, query: rawQuery, headers: req.headers })) throw errors.accessDenied();
      const auth = await verifySignature(
        { method, rawPath, query: rawQuery, headers: req.headers },
        options.credentials,
      );
      ctx = {
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
        requestTaps: () => requestTaps,
        responseTaps: () => responseTaps,
        minPartSize,
        defaultCors,
      };
      await HANDLERS[op](ctx);
    } catch (error) {
      if (res.headersSent || res.destroyed || req.socket.destroyed) return;
      const s3Error = error instanceof S3Error ? error : errors.internal();
      if (!(error instanceof S3Error)) console.error("local-s3: internal error", error);
      if (op) operationStats().errors += 1;
      await drain(req, res, (n) => (operationStats().bytesReceived += n));
      if (res.destroyed) return;
      const resource = rawPath;
      if (method === "HEAD") {
        res.writeHead(s3Error.status, { "Content-Length": 0 });
        res.end();
        return;
      }
      const body = errorXml(s3Error, resource, requestId);
      res.writeHead(s3Error.status, { "Content-Type": "application/xml", "Content-Length": Buffer.byteLength(body) });
      res.end(body);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      console.error("local-s3: failed to answer", error);
      res.destroy();
    });
  });
  // Uploads of big parts over slow links must not be cut by Node's default request timeout.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = options.host && options.host !== "0.0.0.0" ? options.host : "127.0.0.1";
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    store,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    setFaults: (rules, seed) => faults.set(rules, seed),
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
  };
}
