import type { ActionFunctionArgs } from "@remix-run/node";
import { requireApiUser } from "../../server/auth/guards";
import { handleApi, methodNotAllowed, resultResponse } from "../../server/http/responses";
import { deletePost } from "../../server/posts/service";

/** DELETE /api/posts/:id: only the author; anyone else gets 404, as for an unknown post. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requireApiUser(request, context.services);
  if (request.method !== "DELETE") return methodNotAllowed(["DELETE"]);
  return handleApi(context.services, async () =>
    resultResponse(await deletePost(context.services, user, params.id ?? "")),
  );
}

export async function loader() {
  return methodNotAllowed(["DELETE"]);
}
