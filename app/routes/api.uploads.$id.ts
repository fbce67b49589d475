import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { requireApiUser } from "../../server/auth/guards";
import { handleApi, methodNotAllowed, resultResponse } from "../../server/http/responses";
import { abortUpload, getUpload } from "../../server/uploads/service";

/** GET /api/uploads/:id: status and completed parts, reconciled with S3. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireApiUser(request, context.services);
  return handleApi(context.services, async () =>
    resultResponse(await getUpload(context.services, user, params.id ?? "")),
  );
}

/** DELETE /api/uploads/:id: aborts the upload (idempotent). */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requireApiUser(request, context.services);
  if (request.method !== "DELETE") return methodNotAllowed(["GET", "DELETE"]);
  return handleApi(context.services, async () =>
    resultResponse(await abortUpload(context.services, user, params.id ?? "")),
  );
}
