import type { UploadSettings } from "../config/app-config.js";
import { formatBytes } from "../config/units.js";
import type { Executor } from "../db/connection.js";
import { fail, ok, type Result } from "../result.js";
import { unfinishedTotals } from "./repository.js";

/**
 * Whether the user may start another upload of `size` bytes: every per-user quota is checked here,
 * and only here (UPLOAD_MAX_UNFINISHED uploads, UPLOAD_QUOTA declared bytes of unfinished uploads).
 * Call it holding the user's upload lock, so two starts cannot both fit in the last room.
 */
export async function checkUploadQuota(
  db: Executor,
  settings: Pick<UploadSettings, "quotaBytes" | "maxUnfinished">,
  userId: string,
  size: number,
): Promise<Result<void>> {
  const used = await unfinishedTotals(db, userId);
  const details = {
    quotaBytes: settings.quotaBytes,
    usedBytes: used.bytes,
    maxUnfinished: settings.maxUnfinished,
    unfinished: used.count,
  };
  if (used.count >= settings.maxUnfinished) {
    return fail(
      400,
      "quota_exceeded",
      `You can have up to ${settings.maxUnfinished} unfinished uploads at once. Finish or cancel some first.`,
      { details },
    );
  }
  if (used.bytes + size > settings.quotaBytes) {
    return fail(
      400,
      "quota_exceeded",
      `Unfinished uploads may add up to ${formatBytes(settings.quotaBytes)}; you have ${formatBytes(used.bytes)} in progress. Finish or cancel some first.`,
      { details },
    );
  }
  return ok(undefined);
}
