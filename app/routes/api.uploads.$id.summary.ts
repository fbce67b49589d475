import type { ActionFunctionArgs } from "@remix-run/node";
import { jsonBodyAction } from "../../server/http/json-action";
import { methodNotAllowed, resultResponse } from "../../server/http/responses";
import { recordClientSummary } from "../../server/uploads/summary";
import { uploadSummarySchema } from "../shared/upload-summary";

/** POST /api/uploads/:id/summary: the uploader's report of a run (app/shared/upload-summary.ts). */
export async function action(args: ActionFunctionArgs) {
  return jsonBodyAction(args, "POST", uploadSummarySchema, async (user, body) =>
    resultResponse(await recordClientSummary(args.context.services, user, args.params.id ?? "", body)),
  );
}

export async function loader() {
  return methodNotAllowed(["POST"]);
}
