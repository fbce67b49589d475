import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { faultRulesSchema, type FaultInjector } from "./faults.js";
import { sendJson } from "./respond.js";
import type { StatsCounter } from "./stats.js";

/** What the control endpoints read and change. */
export interface ControlTargets {
  faults: FaultInjector;
  stats: StatsCounter;
}

/** PUT/POST /_local/faults takes the rules alone, or with the seed that makes their random choices repeatable. */
const faultsBodySchema = z.union([
  faultRulesSchema,
  z.object({ rules: faultRulesSchema, seed: z.number().int().optional() }),
]);

/** A request body as JSON (undefined when empty). */
async function readJsonRequest(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : JSON.parse(text);
}

async function setFaults(req: IncomingMessage, res: ServerResponse, faults: FaultInjector): Promise<void> {
  let body: z.infer<typeof faultsBodySchema>;
  try {
    body = faultsBodySchema.parse(await readJsonRequest(req));
  } catch (error) {
    return sendJson(res, 400, {
      error: { code: "InvalidFaults", message: error instanceof Error ? error.message : String(error) },
    });
  }
  if (Array.isArray(body)) faults.set(body);
  else faults.set(body.rules, body.seed);
  sendJson(res, 200, faults.state());
}

/** The /_local/* endpoints (unsigned, JSON): health, per-operation stats, and the fault rules in force. */
export async function answerControl(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  { faults, stats }: ControlTargets,
): Promise<void> {
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
    if (req.method === "PUT" || req.method === "POST") return setFaults(req, res, faults);
  }
  sendJson(res, 404, { error: { code: "NotFound", message: `No control endpoint ${req.method} ${path}` } });
}
