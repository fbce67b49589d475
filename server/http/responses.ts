import { json } from "@remix-run/node";
import type { ZodError } from "zod";
import type { ApiErrorBody } from "../../app/shared/api-error.js";
import type { DomainError, Result } from "../result.js";
import type { Services } from "../services.js";
import { outageResponse } from "./unavailable.js";

/** The one shape every API error has: `{ error: { code, message, fields? } }` with its HTTP status. */
export function apiError(status: number, code: string, message: string, fields?: Record<string, string[]>) {
  return json<ApiErrorBody>({ error: { code, message, ...(fields ? { fields } : {}) } }, { status });
}

export const notFound = (what = "This resource") => apiError(404, "not_found", `${what} does not exist.`);

export function errorResponse(error: DomainError) {
  return json<ApiErrorBody>(
    {
      error: {
        code: error.code,
        message: error.message,
        ...(error.fields ? { fields: error.fields } : {}),
        ...(error.details ? { details: error.details } : {}),
      },
    },
    { status: error.status, ...(error.headers ? { headers: error.headers } : {}) },
  );
}

/** Maps a domain result to the API's JSON: the value with `status`, or the error with its own. */
export function resultResponse<T>(result: Result<T>, status = 200) {
  return result.ok ? json(result.value, { status }) : errorResponse(result.error);
}

/** Field errors from zod, keyed by dotted path, for `fields` in a 400. */
export function zodFields(error: Pick<ZodError, "issues">): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "body";
    (fields[key] ??= []).push(issue.message);
  }
  return fields;
}

export const methodNotAllowed = (allowed: string[]) => {
  const response = apiError(405, "method_not_allowed", `Use ${allowed.join(" or ")}.`);
  response.headers.set("Allow", allowed.join(", "));
  return response;
};

/**
 * Runs an API handler: thrown Responses (401s, redirects) pass through; the database or storage being
 * unreachable becomes a 503, anything else unexpected (a bug) a 500 JSON error instead of an HTML error
 * page; both are logged.
 */
export async function handleApi(services: Pick<Services, "log">, handler: () => Promise<Response>): Promise<Response> {
  try {
    return await handler();
  } catch (thrown) {
    if (thrown instanceof Response) throw thrown;
    const outage = outageResponse(services.log, thrown);
    if (outage) return outage;
    services.log.error({ err: thrown }, "API request failed");
    return apiError(500, "internal", "Something went wrong on our side. Please try again.");
  }
}
