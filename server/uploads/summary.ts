/** The browser's report of an upload run (validated by the route's body schema): counted in the metrics and kept on the ledger row. */
import { isDeepStrictEqual } from "node:util";
import type { UploadSummary } from "../../app/shared/upload-summary.js";
import type { User } from "../db/schema.js";
import { fail, ok, type Result } from "../result.js";
import type { Services } from "../services.js";
import { notFound } from "./errors.js";
import { clientSummaryReceived } from "./events.js";
import * as repo from "./repository.js";

export async function recordClientSummary(
  services: Services,
  user: User,
  id: string,
  summary: UploadSummary,
): Promise<Result<{ summary: UploadSummary; counted: boolean }>> {
  const upload = await repo.findUpload(services.db, user.id, id);
  if (!upload) return notFound();
  if (summary.outcome === "completed" && upload.status !== "completed") {
    return fail(409, "conflict", `This upload is ${upload.status}, not completed.`, {
      details: { status: upload.status },
    });
  }
  // A browser that sends the same report again (a retried request) is not counted twice.
  if (isDeepStrictEqual(upload.client_summary, summary)) return ok({ summary, counted: false });
  await repo.saveClientSummary(services.db, upload.id, summary);
  clientSummaryReceived(services, upload, summary);
  return ok({ summary, counted: true });
}
