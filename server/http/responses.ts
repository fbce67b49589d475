import { json } from "@remix-run/node";

export interface ApiErrorBody {
  error: { code: string; message: string; fields?: Record<string, string[]> };
}

/** The one shape every API error has: `{ error: { code, message, fields? } }` with its HTTP status. */
export function apiError(status: number, code: string, message: string, fields?: Record<string, string[]>) {
  return json<ApiErrorBody>({ error: { code, message, ...(fields ? { fields } : {}) } }, { status });
}

export const notFound = (what = "This resource") => apiError(404, "not_found", `${what} does not exist.`);
