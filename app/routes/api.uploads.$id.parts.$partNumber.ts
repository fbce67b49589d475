import type { ActionFunctionArgs } from "@remix-run/node";
import { requireApiUser } from "../../server/auth/guards";
import { handleApi, methodNotAllowed, readJsonBody, resultResponse } from "../../server/http/responses";
import { recordPart } from "../../server/uploads/service";

/** PUT /api/uploads/:id/parts/:partNumber: records a part the browser finished sending. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requireApiUser(request, context.services);
  if (request.method !== "PUT") return methodNotAllowed(["PUT"]);
  const body = await readJsonBody(request);
  if (!body.ok) return body.response;
  return handleApi(context.services, async () =>
    resultResponse(await recordPart(context.services, user, params.id ?? "", params.partNumber ?? "", body.value)),
  );
}

export async function loader() {
  return methodNotAllowed(["PUT"]);
}
