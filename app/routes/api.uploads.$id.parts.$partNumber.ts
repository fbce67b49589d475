import type { ActionFunctionArgs } from "@remix-run/node";
import { jsonBodyAction } from "../../server/http/json-action";
import { methodNotAllowed, resultResponse } from "../../server/http/responses";
import { recordPart } from "../../server/uploads/service";
import { recordPartSchema } from "../../server/uploads/schemas";

/** PUT /api/uploads/:id/parts/:partNumber: records a part the browser finished sending. */
export async function action(args: ActionFunctionArgs) {
  const { params } = args;
  return jsonBodyAction(args, "PUT", recordPartSchema, async (user, body) =>
    resultResponse(await recordPart(args.context.services, user, params.id ?? "", params.partNumber ?? "", body)),
  );
}

export async function loader() {
  return methodNotAllowed(["PUT"]);
}
