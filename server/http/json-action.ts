import type { ActionFunctionArgs } from "@remix-run/node";
import type { z } from "zod";
import { requireApiUser } from "../auth/guards.js";
import type { User } from "../db/schema.js";
import { readJsonBody } from "./body.js";
import { handleApi, methodNotAllowed } from "./responses.js";

/**
 * An API action that takes a JSON body: the signed-in user (401 otherwise), the method it answers (405
 * otherwise, naming `allowed`: every method of a route that answers several), the body read within API_BODY_LIMIT and parsed by `schema` (415/413/400 otherwise), then `run`,
 * whose unexpected errors are logged and answered 500.
 */
export async function jsonBodyAction<S extends z.ZodType>(
  { request, context }: Pick<ActionFunctionArgs, "request" | "context">,
  method: "POST" | "PUT",
  schema: S,
  run: (user: User, body: z.output<S>) => Promise<Response>,
  allowed: string[] = [method],
): Promise<Response> {
  const user = await requireApiUser(request, context.services);
  if (request.method !== method) return methodNotAllowed(allowed);
  const body = await readJsonBody(request, schema, context.services.config.api.bodyLimitBytes);
  if (!body.ok) return body.response;
  return handleApi(context.services, () => run(user, body.value));
}
