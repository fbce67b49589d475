import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound } from "../../server/http/responses";
import { metricsResponse } from "../../server/observability/metrics-endpoint";

/** GET /metrics: Prometheus metrics, unless METRICS_PORT serves them on an internal port instead. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  if (context.services.config.metrics.port !== undefined) return notFound("This page");
  return metricsResponse(context.services, request);
}
