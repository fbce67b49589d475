/**
 * The ledger of parts in PostgreSQL, kept in line with S3, which is the source of truth for which
 * parts arrived. Every function takes the pool or the transaction its caller holds.
 */
import { partRange, type PartPlan } from "../../app/shared/plan.js";
import type { UploadSettings } from "../config/app-config.js";
import type { Executor } from "../db/connection.js";
import type { Upload } from "../db/schema.js";
import type { Result } from "../result.js";
import type { Services } from "../services.js";
import { listAllParts, type StoredPart } from "../storage/multipart.js";
import { goneFromStorage } from "./errors.js";
import { uploadFailed } from "./events.js";
import * as repo from "./repository.js";
import { uploadView, type PartView, type UploadView } from "./views.js";

export const planOf = (upload: Upload): PartPlan => ({
  fileSize: upload.size,
  partSize: upload.part_size,
  partCount: upload.part_count,
});

export const toPartView = (p: StoredPart): PartView => ({
  partNumber: p.partNumber,
  size: p.size,
  etag: p.etag,
  checksum: p.checksum ?? null,
});

/** Parts S3 holds that match the plan exactly: the ones that count as done. */
function plannedParts(upload: Upload, stored: StoredPart[]): StoredPart[] {
  const plan = planOf(upload);
  return stored
    .filter((p) => p.partNumber <= plan.partCount && p.size === partRange(plan, p.partNumber).size)
    .sort((a, b) => a.partNumber - b.partNumber);
}

/** Brings the ledger in line with the parts S3 holds; returns those that count as done. */
export async function reconcileLedger(db: Executor, upload: Upload, stored: StoredPart[]): Promise<StoredPart[]> {
  const good = plannedParts(upload, stored);
  const ledger = await repo.listLedgerParts(db, upload.id);
  const byNumber = new Map(good.map((p) => [p.partNumber, p]));
  const known = new Map(ledger.map((row) => [row.part_number, row.etag]));
  const stale = ledger.filter((row) => !byNumber.has(row.part_number)).map((row) => row.part_number);
  const missing = good.filter((p) => known.get(p.partNumber) !== p.etag);
  await repo.deleteLedgerParts(db, upload.id, stale);
  await repo.upsertParts(db, upload.id, missing);
  return good;
}

type Observers = Pick<Services, "log" | "metrics">;

/** Marks the upload failed because S3 no longer knows it. */
async function markGone(db: Executor, services: Observers, upload: Upload): Promise<Upload> {
  const reason = "The upload no longer exists in storage.";
  const failed = await repo.updateUpload(db, upload.id, { status: "failed", failure_reason: reason });
  uploadFailed(services, failed, "gone_from_storage", reason);
  return failed;
}

/** Marks the upload failed because S3 no longer knows it, and answers 409. */
export async function failGone(db: Executor, services: Observers, upload: Upload): Promise<Result<never>> {
  await markGone(db, services, upload);
  return goneFromStorage();
}

/** The upload as the ledger has it, without asking S3 (for uploads that no longer change). */
export async function ledgerView(db: Executor, settings: UploadSettings, upload: Upload): Promise<UploadView> {
  const rows = await repo.listLedgerParts(db, upload.id);
  return uploadView(
    settings,
    upload,
    rows.map((r) => ({ partNumber: r.part_number, size: r.size, etag: r.etag, checksum: r.checksum })),
  );
}

/** The upload as it is now: an unfinished one is reconciled with S3's part list first. */
export async function currentView(
  db: Executor,
  services: Pick<Services, "storage" | "config" | "log" | "metrics">,
  upload: Upload,
): Promise<UploadView> {
  const settings = services.config.uploads;
  if (upload.status !== "uploading") return ledgerView(db, settings, upload);
  const stored = await listAllParts(services.storage, upload.s3_key, upload.s3_upload_id);
  if (stored === "gone") return uploadView(settings, await markGone(db, services, upload), []);
  const parts = await reconcileLedger(db, upload, stored);
  return uploadView(settings, upload, parts.map(toPartView));
}
