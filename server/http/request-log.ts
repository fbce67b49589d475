import { randomUUID } from "node:crypto";
import type { Request as ExpressRequest, RequestHandler } from "express";
import type { Services } from "../services.js";

/** Probes and assets: logged at debug, so the info level shows what people and browsers did. */
const QUIET_ROUTES = new Set(["/healthz", "/metrics", "static"]);

/** An id a proxy in front already gave the request, when it looks like one; else a fresh one. */
function requestId(req: ExpressRequest): string {
  const given = req.get("x-request-id");
  return given && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

/**
 * One log line per request (method, route pattern, status, duration, request id, user id) and the HTTP
 * metrics. Routes get services whose logger carries the request id (res.locals.services), so every line
 * a request causes can be found by it; the id is also sent back as X-Request-Id.
 */
export function requestLogging(services: Services, routeOf: (pathname: string) => string | undefined): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    // Taken now: a mounted middleware (the assets under /build) sees the path without its mount point.
    const path = req.path;
    const reqId = requestId(req);
    const log = services.log.child({ reqId });
    res.setHeader("X-Request-Id", reqId);
    // The session guard fills in the user id, so the line names who asked without a second session lookup.
    const scope: NonNullable<Services["request"]> = {};
    res.locals.services = { ...services, log, request: scope } satisfies Services;
    res.on("close", () => {
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      const route = res.locals.static ? "static" : (routeOf(path) ?? "unmatched");
      const status = res.writableFinished ? res.statusCode : 499; // 499: the client went away first
      services.metrics.http.requestSeconds.observe(
        { method: req.method, route, status: String(status) },
        durationMs / 1000,
      );
      const level = status >= 500 ? "warn" : QUIET_ROUTES.has(route) ? "debug" : "info";
      const { userId } = scope;
      log[level](
        { method: req.method, route, path, status, durationMs, ...(userId ? { userId } : {}) },
        `${req.method} ${path} ${status} ${durationMs} ms`,
      );
    });
    next();
  };
}
