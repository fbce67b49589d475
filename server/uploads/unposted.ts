/**
 * Completed uploads that never made it into a post. They hold storage (and count toward the
 * quota) until a post uses them, their owner deletes them, or the sweeper does after
 * UPLOAD_ORPHAN_AFTER. Deleting removes the object from S3 and keeps the row, marked 'deleted'.
 */
import type { UnpostedUpload, UnpostedUploadsPage } from "../../app/shared/uploads.js";
import type { Executor } from "../db/connection.js";
import { keysetPage } from "../db/cursor.js";
import type { Upload, User } from "../db/schema.js";
import { fail, ok, type Result } from "../result.js";
import type { Services } from "../services.js";
import { deleteObject, presignInlineGet } from "../storage/objects.js";
import * as repo from "./unposted-repository.js";

export const DELETED_BY_OWNER = "Deleted by its owner before it was posted.";
export const DELETED_AS_ORPHAN = "Deleted by the sweeper: no post used it within UPLOAD_ORPHAN_AFTER.";

/**
 * Deletes a completed upload's object and marks the row 'deleted'; a post using it answers 409.
 * The caller holds the upload's row lock, as posting does, so a post cannot take it meanwhile.
 * S3 goes first: when it fails, the row stays 'completed' and the delete can be tried again.
 */
export async function deleteCompleted(
  db: Executor,
  services: Pick<Services, "storage" | "now">,
  upload: Upload,
  reason: string,
): Promise<Result<Upload>> {
  if (await repo.isInAPost(db, upload.id))
    return fail(409, "attachment_in_use", "A post uses this upload; delete the post instead.");
  await deleteObject(services.storage, upload.s3_key);
  return ok(await repo.markDeleted(db, upload.id, reason, services.now()));
}

/** A page of the user's completed uploads that no post uses, most recently finished first. */
export async function listUnpostedUploads(
  services: Services,
  user: Pick<User, "id">,
  cursorText?: string | null,
): Promise<Result<UnpostedUploadsPage>> {
  const { uploads: settings, feed } = services.config;
  const page = await keysetPage(cursorText, settings.listPageSize, (limit, after) =>
    repo.listUnposted(services.db, user.id, { limit, after }),
  );
  if (!page.ok) return page;
  const uploads = await Promise.all(
    page.value.items.map(async (u): Promise<UnpostedUpload> => {
      const completedAt = new Date(u.completed_at ?? u.last_activity_at);
      return {
        id: u.id,
        fileName: u.file_name,
        size: u.size,
        contentType: u.content_type,
        completedAt: completedAt.toISOString(),
        deletesAt: new Date(completedAt.getTime() + settings.orphanAfterMs).toISOString(),
        // Images only: a video's first frame would cost a download of its start for each row.
        previewUrl: u.content_type.startsWith("image/")
          ? await presignInlineGet(services.storage, u.s3_key, u.content_type, feed.mediaUrlTtlSeconds)
          : null,
      };
    }),
  );
  return ok({ uploads, nextCursor: page.value.nextCursor });
}

/** How many completed uploads of the user's no post uses, and their bytes. */
export async function unpostedSummary(services: Services, user: Pick<User, "id">) {
  return repo.unpostedTotals(services.db, user.id);
}
