import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express, { type RequestHandler } from "express";
import type { Services } from "../services.js";
import { isCrossSiteMutation } from "./csrf.js";
import { serverTiming } from "./server-timing.js";
import { withOutageAnswers } from "./unavailable.js";
import { requestLogging } from "./request-log.js";
import { routePatterns } from "./route-pattern.js";

declare module "@remix-run/node" {
  interface AppLoadContext {
    services: Services;
  }
}

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
  res.setHeader("X-Frame-Options", "DENY");
  next();
};

export function createHttpApp(options: {
  services: Services;
  /** The current Remix build (a function so development can swap it after a rebuild). */
  build: () => ServerBuild;
  mode: "development" | "production";
  publicDir: string;
}): express.Express {
  const { services } = options;
  const appOrigin = new URL(services.config.appUrl).origin;
  const app = express();
  app.disable("x-powered-by");
  // Route patterns come from the build, recomputed when development swaps it.
  let patterns: { build: ServerBuild; of: (pathname: string) => string | undefined } | undefined;
  const routeOf = (pathname: string) => {
    const build = options.build();
    if (patterns?.build !== build) patterns = { build, of: routePatterns(build.routes) };
    return patterns.of(pathname);
  };
  app.use(requestLogging(services, routeOf));
  app.use(securityHeaders);
  app.use("/api", serverTiming);
  const markStatic = (res: express.Response) => (res.locals.static = true);
  app.use(
    "/build",
    express.static(`${options.publicDir}/build`, { immutable: true, maxAge: "1y", setHeaders: markStatic }),
  );
  app.use(express.static(options.publicDir, { maxAge: "1h", setHeaders: markStatic }));
  app.use((req, res, next) => {
    const headers = { get: (name: string) => req.get(name) ?? null };
    if (isCrossSiteMutation(req.method, headers, appOrigin)) {
      res
        .status(403)
        .json({ error: { code: "cross_site_request", message: "Cross-site requests may not change anything here." } });
      return;
    }
    next();
  });
  // One handler per build: creating it compiles the route table, so it must not happen per request.
  let current: { build: ServerBuild; handler: RequestHandler } | undefined;
  app.all("*", (req, res, next) => {
    const build = options.build();
    if (current?.build !== build) {
      current = {
        build,
        handler: createRequestHandler({
          build: withOutageAnswers(build, services.log),
          mode: options.mode,
          getLoadContext: (_req, res) => ({ services: (res.locals.services as Services | undefined) ?? services }),
        }),
      };
    }
    return current.handler(req, res, next);
  });
  return app;
}
