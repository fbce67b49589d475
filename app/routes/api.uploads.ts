import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { requireApiUser } from "../../server/auth/guards";
import { readJsonBody } from "../../server/http/body";
import { handleApi, methodNotAllowed, resultResponse } from "../../server/http/responses";
import { createUpload, listUnfinishedUploads } from "../../server/uploads/service";
import { createUploadSchema } from "../../server/uploads/schemas";

/** GET /api/uploads?cursor=: a page of the signed-in user's unfinished uploads. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireApiUser(request, context.services);
  const cursor = new URL(request.url).searchParams.get("cursor");
  return handleApi(context.services, async () =>
    resultResponse(await listUnfinishedUploads(context.services, user, cursor)),
  );
}

/** POST /api/uploads: starts an upload, or returns the unfinished one for the same file. */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireApiUser(request, context.services);
  if (request.method !== "POST") return methodNotAllowed(["GET", "POST"]);
  const body = await readJsonBody(request, createUploadSchema, context.services.config.api.bodyLimitBytes);
  if (!body.ok) return body.response;
  return handleApi(context.services, async () => {
    const result = await createUpload(context.services, user, body.value);
    if (!result.ok) return resultResponse(result);
    return json(result.value.upload, { status: result.value.created ? 201 : 200 });
  });
}
