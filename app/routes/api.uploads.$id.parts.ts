import type { ActionFunctionArgs } from "@remix-run/node";
import { requireApiUser } from "../../server/auth/guards";
import { handleApi, methodNotAllowed, readJsonBody, resultResponse } from "../../server/http/responses";
import { signParts } from "../../server/uploads/service";

/** POST /api/uploads/:id/parts: presigned URLs for up to 100 parts. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requireApiUser(request, context.services);
  if (request.method !== "POST") return methodNotAllowed(["POST"]);
  const body = await readJsonBody(request);
  if (!body.ok) return body.response;
  return handleApi(context.services, async () =>
    resultResponse(await signParts(context.services, user, params.id ?? "", body.value)),
  );
}

export async function loader() {
  return methodNotAllowed(["POST"]);
}
