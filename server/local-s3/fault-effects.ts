import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Transform } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { hasBody } from "./context.js";
import { S3Error, errors } from "./errors.js";
import type { FaultRule } from "./fault-rules.js";
import { faultErrorCode } from "./faults.js";
import type { Operation } from "./operations.js";
import { resetAfter, throttle } from "./taps.js";

/** The stages a request body and a response body pass through: byte counters, then any fault's. */
export interface Taps {
  request: Transform[];
  response: Transform[];
}

/**
 * Lets the handler answer in full (a part is stored, an object written), but cuts its answer after the status
 * line and headers: they promise a body (chunked) and the connection closes instead. A client learns nothing
 * of the outcome, and a browser cannot quietly send the request again, having had an answer begin.
 */
function cutAfterHeaders(res: ServerResponse): void {
  const writeHead = res.writeHead.bind(res) as (status: number, headers: OutgoingHttpHeaders) => ServerResponse;
  const cut = () => {
    res.destroy();
    return false;
  };
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    const given = (rest.find((arg) => typeof arg === "object" && arg !== null) ?? {}) as OutgoingHttpHeaders;
    const headers = Object.entries(given).filter(([name]) => name.toLowerCase() !== "content-length");
    res.removeHeader("content-length");
    writeHead(status, { ...Object.fromEntries(headers), "Transfer-Encoding": "chunked" });
    res.flushHeaders();
    res.socket?.end();
    res.write = cut as unknown as typeof res.write;
    res.end = (() => (cut(), res)) as unknown as typeof res.end;
    return res;
  }) as typeof res.writeHead;
}

/** Applies an injected fault: throws its error answer, or adds its stages; "stop" when the handler must not run. */
export async function applyFault(
  rule: FaultRule,
  req: IncomingMessage,
  res: ServerResponse,
  op: Operation,
  taps: Taps,
): Promise<"stop" | "go"> {
  switch (rule.fault) {
    case "stall":
      return "stop"; // Accept and never answer: the client's timeout is what is under test.
    case "delay":
      await sleep(rule.ms);
      return "go";
    case "status":
      throw new S3Error(rule.status, faultErrorCode(rule), "Injected fault: please retry.");
    case "expire":
      throw errors.expired(new Date(Date.now() - 1000), new Date());
    case "throttle":
      taps.request.push(throttle(rule.bytesPerSecond));
      taps.response.push(throttle(rule.bytesPerSecond));
      return "go";
    case "reset":
      if (rule.after === "headers") cutAfterHeaders(res);
      else if (hasBody(req)) taps.request.push(resetAfter(rule.afterBytes, req.socket));
      else if (op === "GetObject") taps.response.push(resetAfter(rule.afterBytes, req.socket));
      else {
        req.socket.resetAndDestroy();
        return "stop";
      }
      return "go";
  }
}
