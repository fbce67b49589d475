import type { Transaction } from "kysely";
import { partRange } from "../../app/shared/plan.js";
import type { Database, Upload, User } from "../db/schema.js";
import { fail, ok, type Result } from "../result.js";
import type { Services } from "../services.js";
import { completeMultipartUpload, listAllParts, type StoredPart } from "../storage/multipart.js";
import { deleteObject, headObject, type ObjectInfo } from "../storage/objects.js";
import { contentMatchesType } from "./content-check.js";
import { notFound } from "./errors.js";
import { uploadCompleted, uploadFailed, type FailureKind } from "./events.js";
import { failGone, ledgerView, planOf, reconcileLedger } from "./ledger.js";
import * as repo from "./repository.js";
import type { UploadView } from "./views.js";

type Trx = Transaction<Database>;

/**
 * Completes from S3's own part list (the ledger is reconciled with it), then checks the object's size
 * and that its content is the declared type. Holds the upload's row lock throughout, so a racing
 * completion waits and then returns the same result, and an abort cannot interleave.
 */
export async function completeUpload(services: Services, user: User, id: string): Promise<Result<UploadView>> {
  const settings = services.config.uploads;
  return services.db.transaction().execute(async (trx): Promise<Result<UploadView>> => {
    const upload = await repo.lockUpload(trx, user.id, id);
    if (!upload) return notFound();
    if (upload.status === "completed") return ok(await ledgerView(trx, settings, upload));
    if (upload.status !== "uploading") {
      return fail(
        409,
        "conflict",
        `This upload is ${upload.status}${upload.failure_reason ? `: ${upload.failure_reason}` : ""}.`,
        { details: { status: upload.status } },
      );
    }
    const assembled = await assemble(trx, services, upload);
    if (!assembled.ok) return assembled;
    const object = await verifyObject(trx, services, upload, assembled.value);
    if (!object.ok) return object;
    const completed = await repo.updateUpload(trx, upload.id, {
      status: "completed",
      etag: object.value.etag,
      checksum: object.value.checksum ?? null,
      completed_at: new Date(),
    });
    uploadCompleted(services, completed);
    return ok(await ledgerView(trx, settings, completed));
  });
}

/**
 * Has S3 assemble the planned parts into the object and returns the object as S3 holds it. Fails
 * while parts are missing, and when S3 has lost the upload (the upload is then marked failed).
 */
async function assemble(trx: Trx, services: Services, upload: Upload): Promise<Result<ObjectInfo | undefined>> {
  const { storage } = services;
  const stored = await listAllParts(storage, upload.s3_key, upload.s3_upload_id);
  if (stored === "gone") {
    // An object in place means an earlier completion reached S3 but not the database.
    const object = await headObject(storage, upload.s3_key);
    return object ? ok(object) : failGone(trx, services, upload);
  }
  const { missing, wrongSize } = partsToResend(upload, stored);
  if (missing.length > 0 || wrongSize.length > 0) {
    const resend = [...missing, ...wrongSize].sort((a, b) => a - b);
    return fail(
      409,
      "parts_missing",
      `Parts ${summarise(resend)} must be sent again before this upload can complete.`,
      {
        details: { missing, wrongSize },
      },
    );
  }
  const parts = await reconcileLedger(trx, upload, stored);
  const mode = { algorithm: upload.checksum_algorithm, type: upload.checksum_type };
  const outcome = await completeMultipartUpload(storage, upload.s3_key, upload.s3_upload_id, parts, mode);
  const object = await headObject(storage, upload.s3_key);
  return outcome === "gone" && !object ? failGone(trx, services, upload) : ok(object);
}

/** Planned parts S3 does not hold, and those it holds with another size than planned. */
function partsToResend(upload: Upload, stored: StoredPart[]): { missing: number[]; wrongSize: number[] } {
  const plan = planOf(upload);
  const byNumber = new Map(stored.map((p) => [p.partNumber, p]));
  const missing: number[] = [];
  const wrongSize: number[] = [];
  for (let n = 1; n <= plan.partCount; n += 1) {
    const part = byNumber.get(n);
    if (!part) missing.push(n);
    else if (part.size !== partRange(plan, n).size) wrongSize.push(n);
  }
  return { missing, wrongSize };
}

function summarise(numbers: number[]): string {
  return numbers.length > 10
    ? `${numbers.slice(0, 10).join(", ")} and ${numbers.length - 10} more`
    : numbers.join(", ");
}

/** The object must have the declared size and be the declared type (an image's header must parse); otherwise it is deleted. */
async function verifyObject(
  trx: Trx,
  services: Services,
  upload: Upload,
  object: ObjectInfo | undefined,
): Promise<Result<ObjectInfo>> {
  if (!object || object.size !== upload.size) {
    await refuse(
      trx,
      services,
      upload,
      "size_mismatch",
      `Storage holds ${object?.size ?? 0} bytes, not ${upload.size}.`,
    );
    return fail(422, "size_mismatch", "The stored file does not have the declared size; it was deleted.");
  }
  if (!(await contentMatchesType(services.storage, upload.s3_key, upload.content_type, upload.size))) {
    const reason = `The file's content is not ${upload.content_type}.`;
    await refuse(trx, services, upload, "content_mismatch", reason);
    return fail(422, "content_mismatch", `${reason} It was refused and deleted.`);
  }
  return ok(object);
}

/** Deletes the object and marks the upload failed with `reason`. */
async function refuse(trx: Trx, services: Services, upload: Upload, kind: FailureKind, reason: string): Promise<void> {
  await deleteObject(services.storage, upload.s3_key);
  const failed = await repo.updateUpload(trx, upload.id, { status: "failed", failure_reason: reason });
  uploadFailed(services, failed, kind, reason);
}
