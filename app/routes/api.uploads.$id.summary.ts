import type { ActionFunctionArgs } from "@remix-run/node";
import { requireApiUser } from "../../server/auth/guards";
import { handleApi, methodNotAllowed, readJsonBody, resultResponse } from "../../server/http/responses";
import { recordClientSummary } from "../../server/uploads/summary";

/** POST /api/uploads/:id/summary: the uploader's report of a run (app/shared/upload-summary.ts). */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requireApiUser(request, context.services);
  if (request.method !== "POST") return methodNotAllowed(["POST"]);
  const body = await readJsonBody(request);
  if (!body.ok) return body.response;
  return handleApi(context.services, async () =>
    resultResponse(await recordClientSummary(context.services, user, params.id ?? "", body.value)),
  );
}

export async function loader() {
  return methodNotAllowed(["POST"]);
}
