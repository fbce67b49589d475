import type { ActionFunctionArgs } from "@remix-run/node";
import { requireApiUser } from "../../server/auth/guards";
import { readJsonBody } from "../../server/http/body";
import { handleApi, methodNotAllowed, resultResponse } from "../../server/http/responses";
import { signParts } from "../../server/uploads/service";
import { signPartsSchema } from "../../server/uploads/schemas";

/** POST /api/uploads/:id/parts: presigned URLs for up to 100 parts. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requireApiUser(request, context.services);
  if (request.method !== "POST") return methodNotAllowed(["POST"]);
  const body = await readJsonBody(request, signPartsSchema, context.services.config.api.bodyLimitBytes);
  if (!body.ok) return body.response;
  return handleApi(async () => resultResponse(await signParts(context.services, user, params.id ?? "", body.value)));
}

export async function loader() {
  return methodNotAllowed(["POST"]);
}
