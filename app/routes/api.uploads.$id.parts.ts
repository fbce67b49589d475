import type { ActionFunctionArgs } from "@remix-run/node";
import { jsonBodyAction } from "../../server/http/json-action";
import { methodNotAllowed, resultResponse } from "../../server/http/responses";
import { recordParts, signParts } from "../../server/uploads/service";
import { recordPartsSchema, signPartsSchema } from "../../server/uploads/schemas";

const METHODS = ["POST", "PUT"];

/**
 * POST /api/uploads/:id/parts: presigned URLs for up to 100 parts.
 * PUT /api/uploads/:id/parts: records up to 100 parts the browser finished sending.
 */
export async function action(args: ActionFunctionArgs) {
  const { services } = args.context;
  const id = args.params.id ?? "";
  if (args.request.method === "PUT")
    return jsonBodyAction(
      args,
      "PUT",
      recordPartsSchema,
      async (user, body) => resultResponse(await recordParts(services, user, id, body)),
      METHODS,
    );
  return jsonBodyAction(
    args,
    "POST",
    signPartsSchema,
    async (user, body) => resultResponse(await signParts(services, user, id, body)),
    METHODS,
  );
}

export async function loader() {
  return methodNotAllowed(METHODS);
}
