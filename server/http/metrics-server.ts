/** METRICS_PORT: /metrics on an internal port of its own (METRICS_HOST), instead of the app's port. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { metricsResponse } from "../observability/metrics-endpoint.js";
import type { Services } from "../services.js";

export interface MetricsServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts the metrics server when METRICS_PORT is set; undefined otherwise. */
export async function startMetricsServer(services: Services): Promise<MetricsServer | undefined> {
  const { port, host } = services.config.metrics;
  if (port === undefined) return undefined;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://metrics");
    if (req.method !== "GET" || url.pathname !== "/metrics") {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("Only GET /metrics is served here.\n");
      return;
    }
    const headers = new Headers();
    if (req.headers.authorization) headers.set("authorization", req.headers.authorization);
    metricsResponse(services, new Request(url, { headers }))
      .then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(await response.text());
      })
      .catch((error: unknown) => {
        services.log.error({ err: error }, "metrics: could not answer");
        res.writeHead(500).end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const url = `http://${host}:${(server.address() as AddressInfo).port}/metrics`;
  services.log.info({ component: "metrics", url }, `metrics at ${url}`);
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
