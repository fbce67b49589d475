import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { sql } from "kysely";

/** Liveness and database reachability, for start-up scripts and load balancers. */
export async function loader({ context }: LoaderFunctionArgs) {
  await sql`select 1`.execute(context.services.db);
  return json({ ok: true }, { headers: { "Cache-Control": "no-store" } });
}
