import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { requireApiUser } from "../../server/auth/guards";
import { handleApi, methodNotAllowed, resultResponse } from "../../server/http/responses";
import { listUnpostedUploads } from "../../server/uploads/unposted";

/** GET /api/uploads/unposted?cursor=: a page of the user's completed uploads that no post uses. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireApiUser(request, context.services);
  const cursor = new URL(request.url).searchParams.get("cursor");
  return handleApi(context.services, async () =>
    resultResponse(await listUnpostedUploads(context.services, user, cursor)),
  );
}

/** Each upload is deleted at its own address: DELETE /api/uploads/:id. */
export async function action({ request, context }: ActionFunctionArgs) {
  await requireApiUser(request, context.services);
  return methodNotAllowed(["GET"]);
}
