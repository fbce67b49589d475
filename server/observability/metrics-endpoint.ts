import { createHash, timingSafeEqual } from "node:crypto";
import { apiError } from "../http/responses.js";
import type { Services } from "../services.js";

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Whether the request carries `Authorization: Bearer <token>` (compared in constant time). */
function hasToken(request: Request, token: string): boolean {
  const presented = request.headers.get("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  return presented !== undefined && timingSafeEqual(digest(presented), digest(token));
}

/** GET /metrics: the Prometheus text exposition, behind METRICS_TOKEN when one is set. */
export async function metricsResponse(services: Pick<Services, "config" | "metrics">, request: Request) {
  const { token } = services.config.metrics;
  if (token && !hasToken(request, token)) {
    const refused = apiError(401, "unauthenticated", "Metrics need the bearer token (METRICS_TOKEN).");
    refused.headers.set("WWW-Authenticate", 'Bearer realm="metrics"');
    return refused;
  }
  const { registry } = services.metrics;
  return new Response(await registry.metrics(), {
    headers: { "Content-Type": registry.contentType, "Cache-Control": "no-store" },
  });
}
