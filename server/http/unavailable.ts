/**
 * Outages of what the app depends on (PostgreSQL restarting, S3 unreachable, a statement timeout under
 * load) are temporary: the API answers them with 503 and a JSON error, which the browser's uploader
 * treats as "wait and retry", instead of a 500 that reads like a bug.
 */
import { json, type ServerBuild } from "@remix-run/node";
import type { ApiErrorBody } from "../../app/shared/api-error.js";
import type { Logger } from "../observability/logger.js";
import type { Services } from "../services.js";

export type Dependency = "database" | "storage";

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** SQLSTATEs of a server going away or too busy: connection exceptions (08), resources (53), shutdown, timeout. */
const isUnavailableSqlState = (code: string) =>
  code.startsWith("08") || code.startsWith("53") || ["57P01", "57P02", "57P03", "57014"].includes(code);

const POOL_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended|Client was closed/i;

interface ErrorFields {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  severity?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** Which dependency an error says is unreachable or overloaded; undefined for any other error. */
export function unavailableDependency(error: unknown): Dependency | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { code, name, message, severity, $metadata } = error as ErrorFields;
  // The AWS SDK marks every error of its own with $metadata, after its retries (S3_MAX_ATTEMPTS).
  if ($metadata) {
    const status = $metadata.httpStatusCode;
    const network = typeof code === "string" && NETWORK_CODES.has(code);
    const timeout = name === "TimeoutError" || name === "RequestTimeout";
    return (status !== undefined && status >= 500) || network || timeout ? "storage" : undefined;
  }
  if (typeof severity === "string" && typeof code === "string")
    return isUnavailableSqlState(code) ? "database" : undefined;
  if (typeof code === "string" && NETWORK_CODES.has(code)) return "database";
  if (typeof message === "string" && POOL_MESSAGES.test(message)) return "database";
  return undefined;
}

const MESSAGES: Record<Dependency, string> = {
  database: "The database cannot be reached right now. Nothing was lost; please try again in a moment.",
  storage: "File storage cannot be reached right now. Nothing was lost; please try again in a moment.",
};

/** 503 `service_unavailable` naming the dependency, with Retry-After. */
export function unavailableResponse(dependency: Dependency): Response {
  // Built here rather than with responses.ts's apiError, which uses this module.
  return json<ApiErrorBody>(
    { error: { code: "service_unavailable", message: MESSAGES[dependency] } },
    { status: 503, headers: { "Retry-After": "2" } },
  );
}

/**
 * The 503 for an outage, logged as a warning with its cause; undefined when `error` is something else
 * (a bug stays a 500, and is the caller's to log).
 */
export function outageResponse(log: Pick<Logger, "warn">, error: unknown): Response | undefined {
  const dependency = unavailableDependency(error);
  if (!dependency) return undefined;
  // Not a bug: the call may succeed again once the dependency is back, so a warning, with the cause.
  log.warn({ err: error, dependency }, "API request failed: dependency unavailable");
  return unavailableResponse(dependency);
}

type RouteFunction = (...args: never[]) => unknown;

function answeringOutages<F extends RouteFunction | undefined>(fn: F, log: Logger): F {
  if (!fn) return fn;
  return (async (...args: Parameters<NonNullable<F>>) => {
    try {
      return await fn(...args);
    } catch (thrown) {
      // The request's own services (tests give each app its own) log it, else the app's.
      const context = (args[0] as { context?: { services?: Pick<Services, "log"> } } | undefined)?.context;
      throw outageResponse(context?.services?.log ?? log, thrown) ?? thrown;
    }
  }) as unknown as F;
}

/**
 * The build with every API route's loader and action answering outages with 503: what fails first in
 * an outage is often the session's user lookup, before a route's own error handling.
 */
export function withOutageAnswers(build: ServerBuild, log: Logger): ServerBuild {
  // A nested route's path is relative to its parent's ("api/uploads" > ":id" > "parts").
  const fullPath = (id: string | undefined): string => {
    const route = id === undefined ? undefined : build.routes[id];
    if (!route) return "";
    return [fullPath(route.parentId), route.path ?? ""].filter(Boolean).join("/");
  };
  const routes = Object.fromEntries(
    Object.entries(build.routes).map(([id, route]) => {
      if (!fullPath(id).startsWith("api/")) return [id, route];
      const module = {
        ...route.module,
        loader: answeringOutages(route.module.loader, log),
        action: answeringOutages(route.module.action, log),
      };
      return [id, { ...route, module }];
    }),
  );
  return { ...build, routes };
}
