import type { RequestHandler } from "express";
import { serverTimingValue } from "../../app/shared/server-timing.js";

/**
 * `Server-Timing: app;dur=<ms>` on every answer it covers: the time from the request reaching the app to
 * its answer's headers. Clients and the load benchmark can then tell the app's time from the network's
 * and their own.
 */
export const serverTiming: RequestHandler = (_req, res, next) => {
  const started = process.hrtime.bigint();
  const writeHead = res.writeHead;
  res.writeHead = function (this: typeof res, ...args: Parameters<typeof writeHead>) {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (!this.headersSent) this.setHeader("Server-Timing", serverTimingValue(ms));
    return writeHead.apply(this, args);
  } as typeof writeHead;
  next();
};
