import type { ActionFunctionArgs } from "@remix-run/node";
import { requireApiUser } from "../../server/auth/guards";
import { handleApi, methodNotAllowed, resultResponse } from "../../server/http/responses";
import { completeUpload } from "../../server/uploads/complete";

/** POST /api/uploads/:id/complete: completes and verifies the upload (idempotent). */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requireApiUser(request, context.services);
  if (request.method !== "POST") return methodNotAllowed(["POST"]);
  return handleApi(context.services, async () =>
    resultResponse(await completeUpload(context.services, user, params.id ?? "")),
  );
}

export async function loader() {
  return methodNotAllowed(["POST"]);
}
