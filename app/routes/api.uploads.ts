import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { requireApiUser } from "../../server/auth/guards";
import { handleApi, methodNotAllowed, readJsonBody, resultResponse } from "../../server/http/responses";
import { createUpload, listUnfinishedUploads } from "../../server/uploads/service";

/** GET /api/uploads: the signed-in user's unfinished uploads. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireApiUser(request, context.services);
  return handleApi(context.services, async () =>
    json({ uploads: await listUnfinishedUploads(context.services, user) }),
  );
}

/** POST /api/uploads: starts an upload, or returns the unfinished one for the same file. */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireApiUser(request, context.services);
  if (request.method !== "POST") return methodNotAllowed(["GET", "POST"]);
  const body = await readJsonBody(request);
  if (!body.ok) return body.response;
  return handleApi(context.services, async () => {
    const result = await createUpload(context.services, user, body.value);
    if (!result.ok) return resultResponse(result);
    return json(result.value.upload, { status: result.value.created ? 201 : 200 });
  });
}
