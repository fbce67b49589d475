import type { IncomingMessage, ServerResponse } from "node:http";
import { FaultConfigError, parseFaultConfigJson } from "./fault-rules.js";
import type { FaultInjector } from "./faults.js";
import { sendJson } from "./respond.js";
import type { StatsCounter } from "./stats.js";

/** What the control endpoints read and change. */
export interface ControlTargets {
  faults: FaultInjector;
  stats: StatsCounter;
}

/** The request body as text. */
async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * PUT/POST /_local/faults: `{ seed, rules }`, or the rules alone (the seed in force stays). A bad rule is
 * answered 400 `{ error: { code: "InvalidFaults", message } }`, the message one line naming the field.
 */
async function setFaults(req: IncomingMessage, res: ServerResponse, faults: FaultInjector): Promise<void> {
  try {
    const config = parseFaultConfigJson(await readText(req));
    faults.set(config.rules, config.seed);
  } catch (error) {
    if (!(error instanceof FaultConfigError)) throw error;
    return sendJson(res, 400, { error: { code: "InvalidFaults", message: error.message } });
  }
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
