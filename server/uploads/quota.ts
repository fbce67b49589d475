import type { UploadSettings } from "../config/app-config.js";
import { formatBytes } from "../config/units.js";
import type { Executor } from "../db/connection.js";
import { fail, ok, type Result } from "../result.js";
import { unfinishedTotals } from "./repository.js";
import { unpostedTotals } from "./unposted-repository.js";

/**
 * Whether the user may start another upload of `size` bytes: every per-user quota is checked here,
 * and only here. UPLOAD_MAX_UNFINISHED counts uploads in progress; UPLOAD_QUOTA counts the bytes the
 * user holds outside posts: the declared sizes of unfinished uploads plus completed uploads that no
 * post uses (they stay in storage until posted, deleted, or swept after UPLOAD_ORPHAN_AFTER).
 * Call it holding the user's upload lock, so two starts cannot both fit in the last room.
 */
export async function checkUploadQuota(
  db: Executor,
  settings: Pick<UploadSettings, "quotaBytes" | "maxUnfinished">,
  userId: string,
  size: number,
): Promise<Result<void>> {
  const unfinished = await unfinishedTotals(db, userId);
  const unposted = await unpostedTotals(db, userId);
  const usedBytes = unfinished.bytes + unposted.bytes;
  const details = {
    quotaBytes: settings.quotaBytes,
    usedBytes,
    unfinishedBytes: unfinished.bytes,
    unpostedBytes: unposted.bytes,
    maxUnfinished: settings.maxUnfinished,
    unfinished: unfinished.count,
  };
  if (unfinished.count >= settings.maxUnfinished) {
    return fail(
      400,
      "quota_exceeded",
      `You can have up to ${settings.maxUnfinished} unfinished uploads at once. Finish or cancel some first.`,
      { details },
    );
  }
  if (usedBytes + size > settings.quotaBytes) {
    return fail(
      400,
      "quota_exceeded",
      `Your uploads not in a post may add up to ${formatBytes(settings.quotaBytes)}; you have ${formatBytes(usedBytes)} ` +
        `(${formatBytes(unfinished.bytes)} still uploading, ${formatBytes(unposted.bytes)} finished but not posted). ` +
        "Post them, cancel unfinished ones, or delete unposted ones (Unposted uploads, in your account menu) first.",
      { details },
    );
  }
  return ok(undefined);
}
