import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Credentials } from "./auth.js";
import { defaultCorsRule, type CorsRule } from "./cors.js";
import { dispatch, type Services } from "./dispatch.js";
import type { LocalS3Event } from "./events.js";
import type { FaultRuleInput } from "./fault-rules.js";
import { FaultInjector } from "./faults.js";
import { DEFAULT_MIN_PART_SIZE } from "./multipart.js";
import { StatsCounter, type Stats } from "./stats.js";
import { Store } from "./store.js";

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
  /** Fault rules in force from the start (a bad one throws FaultConfigError, naming the field). */
  faults?: FaultRuleInput[];
  seed?: number;
  /** Told of each fault the server injects (which rule, operation, part, kind): route it to a logger. */
  log?: (event: LocalS3Event) => void;
  /** S3's 5 MiB minimum for every part but the last; lower it only in the server's own tests. */
  minPartSize?: number;
  /** How long a completed multipart upload is remembered, for a Complete sent again (default one hour). */
  completedUploadRetentionMs?: number;
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

export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  const store = await Store.open(options.dataDir, options.completedUploadRetentionMs);
  for (const bucket of options.buckets ?? []) if (!store.hasBucket(bucket)) await store.createBucket(bucket);
  const defaultCors: CorsRule[] | undefined = options.corsOrigins?.length
    ? [defaultCorsRule(options.corsOrigins)]
    : undefined;
  const faults = new FaultInjector(options.faults ?? [], options.seed ?? 1);
  const stats = new StatsCounter();
  const services: Services = {
    store,
    faults,
    stats,
    credentials: options.credentials,
    defaultCors,
    minPartSize: options.minPartSize ?? DEFAULT_MIN_PART_SIZE,
    log: options.log,
  };

  const server = createServer((req, res) => {
    dispatch(req, res, services).catch((error) => {
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
