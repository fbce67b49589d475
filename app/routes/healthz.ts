import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { checkHealth } from "../../server/observability/health";

/** Database and storage reachability, for start-up scripts and load balancers: 503 when either is down. */
export async function loader({ context }: LoaderFunctionArgs) {
  const health = await checkHealth(context.services);
  return json(health, { status: health.status === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
