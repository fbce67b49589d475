import type { Services } from "../services.js";
import { abortUpload } from "./service.js";
import { DELETED_AS_ORPHAN } from "./unposted.js";
import { findOrphans } from "./unposted-repository.js";

/**
 * Deletes every completed upload that no post used within UPLOAD_ORPHAN_AFTER of its completion:
 * its object leaves S3 and its row is marked 'deleted'. Each goes through the owner's own delete,
 * under the upload's row lock, so one posted meanwhile is left alone. Returns how many it deleted.
 */
export async function sweepOrphanedUploads(services: Services, now = services.now()): Promise<number> {
  const before = new Date(now.getTime() - services.config.uploads.orphanAfterMs);
  const tried = new Set<string>();
  let deleted = 0;
  for (;;) {
    const batch = (await findOrphans(services.db, before, 50)).filter((u) => !tried.has(u.id));
    if (batch.length === 0) return deleted;
    for (const upload of batch) {
      tried.add(upload.id);
      const result = await abortUpload(services, { id: upload.user_id }, upload.id, {
        kind: "orphaned",
        reason: DELETED_AS_ORPHAN,
      });
      if (result.ok && result.value.status === "deleted") deleted += 1;
    }
  }
}
