import type { ActionFunctionArgs } from "@remix-run/node";
import { requireApiUser } from "../auth/guards.js";
import type { User } from "../db/schema.js";
import { handleApi, methodNotAllowed, readJsonBody } from "./responses.js";

/**
 * An API action that takes a JSON body: the signed-in user (401 otherwise), the one method it answers (405
 * otherwise), the body parsed (400 invalid_json otherwise), then `run`, whose unexpected errors are logged
 * and answered 500.
 */
export async function jsonBodyAction(
  { request, context }: Pick<ActionFunctionArgs, "request" | "context">,
  method: "POST" | "PUT",
  run: (user: User, body: unknown) => Promise<Response>,
): Promise<Response> {
  const user = await requireApiUser(request, context.services);
  if (request.method !== method) return methodNotAllowed([method]);
  const body = await readJsonBody(request);
  if (!body.ok) return body.response;
  return handleApi(context.services, () => run(user, body.value));
}
