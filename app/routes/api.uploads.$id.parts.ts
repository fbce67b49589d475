import type { ActionFunctionArgs } from "@remix-run/node";
import { jsonBodyAction } from "../../server/http/json-action";
import { methodNotAllowed, resultResponse } from "../../server/http/responses";
import { signParts } from "../../server/uploads/service";
import { signPartsSchema } from "../../server/uploads/schemas";

/** POST /api/uploads/:id/parts: presigned URLs for up to 100 parts. */
export async function action(args: ActionFunctionArgs) {
  return jsonBodyAction(args, "POST", signPartsSchema, async (user, body) =>
    resultResponse(await signParts(args.context.services, user, args.params.id ?? "", body)),
  );
}

export async function loader() {
  return methodNotAllowed(["POST"]);
}
