import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { requireApiUser } from "../../server/auth/guards";
import { readJsonBody } from "../../server/http/body";
import { handleApi, methodNotAllowed, resultResponse } from "../../server/http/responses";
import { createPost, feedPage } from "../../server/posts/service";
import { createPostSchema } from "../../server/posts/schemas";

/** GET /api/posts?cursor=: a page of the feed. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireApiUser(request, context.services);
  return handleApi(context.services, async () =>
    resultResponse(await feedPage(context.services, user, new URL(request.url).searchParams.get("cursor"))),
  );
}

/** POST /api/posts { text, uploadId?, width?, height?, durationSeconds? } */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireApiUser(request, context.services);
  if (request.method !== "POST") return methodNotAllowed(["GET", "POST"]);
  const body = await readJsonBody(request, createPostSchema, context.services.config.api.bodyLimitBytes);
  if (!body.ok) return body.response;
  return handleApi(context.services, async () =>
    resultResponse(await createPost(context.services, user, body.value), 201),
  );
}
