import { randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import { partRange, planParts, S3_LIMITS, type PartPlan } from "../../app/shared/plan.js";
import type { SignedParts, UnfinishedUpload } from "../../app/shared/uploads.js";
import { formatBytes } from "../config/units.js";
import type { Upload, User } from "../db/schema.js";
import { zodFields } from "../http/responses.js";
import { fail, ok, type Result } from "../result.js";
import type { Services } from "../services.js";
import {
  abortUntilGone,
  completeMultipartUpload,
  createMultipartUpload,
  findPart,
  listAllParts,
  type StoredPart,
} from "../storage/multipart.js";
import { deleteObject, headObject, readObjectStart } from "../storage/objects.js";
import { presignUploadParts } from "../storage/presign.js";
import { SNIFF_BYTES, matchesContentType } from "./file-type.js";
import * as repo from "./repository.js";
import { attachmentDisposition, sanitizeFileName } from "./file-names.js";
import { uploadView, type PartView, type UploadView } from "./views.js";

const base64Sha256 = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, "must be a base64 SHA-256 digest");
const partNumber = z
  .number()
  .int("must be a whole number")
  .min(1, "must be at least 1")
  .max(S3_LIMITS.maxParts, `must be at most ${S3_LIMITS.maxParts}`);

export const createUploadSchema = z.object({
  fileName: z.string().trim().min(1, "is required").max(1024),
  size: z.number().int("must be a whole number of bytes").positive("must be at least 1 byte"),
  contentType: z.string().trim().min(1, "is required").max(255),
  lastModified: z.number().int().nonnegative(),
  fingerprint: z.string().min(1, "is required").max(1024),
});

export const signPartsSchema = z.object({
  parts: z
    .array(z.object({ partNumber, checksumSha256: base64Sha256.optional() }))
    .min(1, "ask for at least one part")
    .max(100, "ask for at most 100 parts per call"),
});

export const recordPartSchema = z.object({
  etag: z.string().min(1, "is required").max(200),
  checksumSha256: base64Sha256.optional(),
});

const invalid = (error: z.ZodError) =>
  fail<never>(400, "invalid_input", "Some fields are not valid.", { fields: zodFields(error) });
const notFound = () => fail<never>(404, "not_found", "This upload does not exist.");
const notUploading = (upload: Upload) =>
  fail<never>(409, "conflict", `This upload is ${upload.status}; it can no longer take parts.`, {
    details: { status: upload.status },
  });

const planOf = (upload: Upload): PartPlan => ({
  fileSize: upload.size,
  partSize: upload.part_size,
  partCount: upload.part_count,
});

const toPartView = (p: StoredPart): PartView => ({
  partNumber: p.partNumber,
  size: p.size,
  etag: p.etag,
  checksumSha256: p.checksumSha256 ?? null,
});

/** Parts S3 holds that match the plan exactly: the ones that count as done. */
function plannedParts(upload: Upload, stored: StoredPart[]): StoredPart[] {
  const plan = planOf(upload);
  return stored
    .filter((p) => p.partNumber <= plan.partCount && p.size === partRange(plan, p.partNumber).size)
    .sort((a, b) => a.partNumber - b.partNumber);
}

/** Brings the ledger in line with S3, which is the source of truth for which parts arrived. */
async function reconcileLedger(services: Services, upload: Upload, stored: StoredPart[]): Promise<StoredPart[]> {
  const good = plannedParts(upload, stored);
  const ledger = await repo.listLedgerParts(services.db, upload.id);
  const byNumber = new Map(good.map((p) => [p.partNumber, p]));
  const stale = ledger.filter((row) => byNumber.get(row.part_number)?.etag !== row.etag).map((row) => row.part_number);
  const known = new Map(ledger.map((row) => [row.part_number, row.etag]));
  const missing = good.filter((p) => known.get(p.partNumber) !== p.etag);
  await repo.deleteLedgerParts(
    services.db,
    upload.id,
    stale.filter((n) => !byNumber.has(n)),
  );
  await repo.upsertParts(services.db, upload.id, missing);
  return good;
}

async function markGone(services: Services, upload: Upload): Promise<Upload> {
  return repo.updateUpload(services.db, upload.id, {
    status: "failed",
    failure_reason: "The upload no longer exists in storage.",
  });
}

async function currentView(services: Services, upload: Upload): Promise<UploadView> {
  const settings = services.config.uploads;
  if (upload.status !== "uploading") {
    const ledger = await repo.listLedgerParts(services.db, upload.id);
    return uploadView(
      settings,
      upload,
      ledger.map((r) => ({ partNumber: r.part_number, size: r.size, etag: r.etag, checksumSha256: r.checksum_sha256 })),
    );
  }
  const stored = await listAllParts(services.storage, upload.s3_key, upload.s3_upload_id);
  if (stored === "gone") return uploadView(settings, await markGone(services, upload), []);
  const parts = await reconcileLedger(services, upload, stored);
  return uploadView(settings, upload, parts.map(toPartView));
}

export async function createUpload(
  services: Services,
  user: User,
  input: unknown,
): Promise<Result<{ upload: UploadView; created: boolean }>> {
  const parsed = createUploadSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  const { size, fingerprint, lastModified } = parsed.data;
  const contentType = parsed.data.contentType.toLowerCase();
  const settings = services.config.uploads;
  const maxSize = settings.allowedTypes[contentType];
  if (maxSize === undefined) {
    return fail(
      400,
      "unsupported_type",
      `Files of type ${contentType} cannot be uploaded. Allowed: ${Object.keys(settings.allowedTypes).join(", ")}.`,
      {
        fields: { contentType: ["is not an allowed type"] },
      },
    );
  }
  if (size > maxSize || size > S3_LIMITS.maxObjectSize) {
    return fail(
      400,
      "too_large",
      `This file is ${formatBytes(size)}; ${contentType} files can be up to ${formatBytes(maxSize)}.`,
      {
        fields: { size: [`must be at most ${maxSize} bytes`] },
      },
    );
  }
  const fileName = sanitizeFileName(parsed.data.fileName);
  const plan = planParts(size, settings.partSize);

  // One user at a time: the quota check, the fingerprint check and the insert must not interleave.
  return services.db.transaction().execute(async (trx) => {
    await repo.lockUserUploads(trx, user.id);
    const existing = await repo.findUnfinishedByFingerprint(trx, user.id, fingerprint);
    if (existing) {
      if (existing.size !== size || existing.content_type !== contentType) {
        return fail(409, "conflict", "An unfinished upload with this fingerprint has another size or type.");
      }
      return ok({ upload: await currentView(services, existing), created: false });
    }
    const used = await repo.unfinishedBytes(trx, user.id);
    if (used + size > settings.quotaBytes) {
      return fail(
        400,
        "quota_exceeded",
        `Unfinished uploads may add up to ${formatBytes(settings.quotaBytes)}; you have ${formatBytes(used)} in progress. Finish or cancel some first.`,
        {
          details: { quotaBytes: settings.quotaBytes, usedBytes: used },
        },
      );
    }
    const id = randomUUID();
    const key = `uploads/${user.id}/${randomBytes(18).toString("base64url")}`;
    const s3UploadId = await createMultipartUpload(services.storage, {
      key,
      contentType,
      contentDisposition: attachmentDisposition(fileName),
      metadata: { "user-id": user.id, "upload-id": id, "last-modified": String(lastModified) },
    });
    const upload = await repo.insertUpload(trx, {
      id,
      user_id: user.id,
      s3_key: key,
      s3_upload_id: s3UploadId,
      file_name: fileName,
      content_type: contentType,
      size,
      part_size: plan.partSize,
      part_count: plan.partCount,
      fingerprint,
    });
    if (!upload) throw new Error("upload insert conflicted while holding the user's lock");
    return ok({ upload: uploadView(settings, upload, []), created: true });
  });
}

export async function getUpload(services: Services, user: User, id: string): Promise<Result<UploadView>> {
  const upload = await repo.findUpload(services.db, user.id, id);
  if (!upload) return notFound();
  return ok(await currentView(services, upload));
}

/** The user's unfinished uploads, from the ledger (cheap: no S3 call per upload). */
export async function listUnfinishedUploads(services: Services, user: User): Promise<UnfinishedUpload[]> {
  const uploads = await repo.listUnfinishedWithProgress(services.db, user.id);
  return uploads.map((u) => ({
    id: u.id,
    fileName: u.file_name,
    size: u.size,
    contentType: u.content_type,
    fingerprint: u.fingerprint,
    partCount: u.part_count,
    completedParts: u.completed_parts,
    completedBytes: u.completed_bytes,
    createdAt: new Date(u.created_at).toISOString(),
    lastActivityAt: new Date(u.last_activity_at).toISOString(),
  }));
}

export async function signParts(
  services: Services,
  user: User,
  id: string,
  input: unknown,
): Promise<Result<SignedParts>> {
  const parsed = signPartsSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  const numbers = parsed.data.parts.map((p) => p.partNumber);
  const duplicates = [...new Set(numbers.filter((n, i) => numbers.indexOf(n) !== i))];
  if (duplicates.length > 0) {
    return fail(400, "invalid_input", `Part numbers must be unique; repeated: ${duplicates.join(", ")}.`, {
      fields: { parts: [`duplicate part numbers ${duplicates.join(", ")}`] },
    });
  }
  const upload = await repo.findUpload(services.db, user.id, id);
  if (!upload) return notFound();
  const plan = planOf(upload);
  const beyond = numbers.filter((n) => n > plan.partCount);
  if (beyond.length > 0) {
    return fail(
      400,
      "invalid_input",
      `This upload has ${plan.partCount} parts; ${beyond.join(", ")} is beyond the plan.`,
      { fields: { parts: [`part numbers must be 1..${plan.partCount}`] } },
    );
  }
  if (upload.status !== "uploading") return notUploading(upload);
  const ttl = services.config.uploads.urlTtlSeconds;
  const signingDate = new Date();
  const signed = await presignUploadParts(
    services.storage,
    { key: upload.s3_key, uploadId: upload.s3_upload_id },
    parsed.data.parts.map((p) => ({
      partNumber: p.partNumber,
      size: partRange(plan, p.partNumber).size,
      ...(p.checksumSha256 ? { checksumSha256: p.checksumSha256 } : {}),
    })),
    ttl,
    signingDate,
  );
  await repo.touchUpload(services.db, upload.id);
  return ok({
    expiresAt: new Date(signingDate.getTime() + ttl * 1000).toISOString(),
    parts: signed.map((s) => ({ ...s, size: partRange(plan, s.partNumber).size })),
  });
}

export async function recordPart(
  services: Services,
  user: User,
  id: string,
  partNumberText: string,
  input: unknown,
): Promise<Result<PartView>> {
  const number = partNumber.safeParse(Number(partNumberText));
  if (!/^\d+$/.test(partNumberText) || !number.success) {
    return fail(400, "invalid_input", "The part number must be a whole number from 1 to 10000.", {
      fields: { partNumber: ["must be 1..10000"] },
    });
  }
  const parsed = recordPartSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  const upload = await repo.findUpload(services.db, user.id, id);
  if (!upload) return notFound();
  const plan = planOf(upload);
  if (number.data > plan.partCount) {
    return fail(400, "invalid_input", `This upload has ${plan.partCount} parts; ${number.data} is beyond the plan.`, {
      fields: { partNumber: [`must be 1..${plan.partCount}`] },
    });
  }
  if (upload.status !== "uploading") return notUploading(upload);
  const stored = await findPart(services.storage, upload.s3_key, upload.s3_upload_id, number.data);
  if (stored === "gone") {
    await markGone(services, upload);
    return fail(409, "conflict", "This upload no longer exists in storage.");
  }
  const etag = parsed.data.etag.startsWith('"') ? parsed.data.etag : `"${parsed.data.etag}"`;
  if (
    !stored ||
    stored.etag !== etag ||
    (parsed.data.checksumSha256 && stored.checksumSha256 !== parsed.data.checksumSha256)
  ) {
    return fail(
      400,
      "unknown_part",
      `Storage has no part ${number.data} with this ETag${parsed.data.checksumSha256 ? " and checksum" : ""}.`,
    );
  }
  if (stored.size !== partRange(plan, number.data).size) {
    return fail(
      400,
      "unknown_part",
      `Part ${number.data} in storage has ${stored.size} bytes, not the ${partRange(plan, number.data).size} planned.`,
    );
  }
  await repo.upsertParts(services.db, upload.id, [stored]);
  await repo.touchUpload(services.db, upload.id);
  return ok(toPartView(stored));
}

/**
 * Completes from S3's own part list (the ledger is reconciled with it), then checks the object's size
 * and that its first bytes are the declared type. Holds the upload's row lock throughout, so a racing
 * completion waits and then returns the same result, and an abort cannot interleave.
 */
export async function completeUpload(services: Services, user: User, id: string): Promise<Result<UploadView>> {
  const settings = services.config.uploads;
  return services.db.transaction().execute(async (trx): Promise<Result<UploadView>> => {
    const upload = await repo.lockUpload(trx, user.id, id);
    if (!upload) return notFound();
    const ledgerView = async (u: Upload) => {
      const rows = await repo.listLedgerParts(trx, u.id);
      return uploadView(
        settings,
        u,
        rows.map((r) => ({ partNumber: r.part_number, size: r.size, etag: r.etag, checksumSha256: r.checksum_sha256 })),
      );
    };
    if (upload.status === "completed") return ok(await ledgerView(upload));
    if (upload.status !== "uploading") {
      return fail(
        409,
        "conflict",
        `This upload is ${upload.status}${upload.failure_reason ? `: ${upload.failure_reason}` : ""}.`,
        { details: { status: upload.status } },
      );
    }

    const stored = await listAllParts(services.storage, upload.s3_key, upload.s3_upload_id);
    // "gone" with the object in place means an earlier completion reached S3 but not the database.
    let object = stored === "gone" ? await headObject(services.storage, upload.s3_key) : undefined;
    if (stored === "gone" && !object) {
      await repo.updateUpload(trx, upload.id, {
        status: "failed",
        failure_reason: "The upload no longer exists in storage.",
      });
      return fail(409, "conflict", "This upload no longer exists in storage.");
    }
    if (stored !== "gone") {
      const plan = planOf(upload);
      const byNumber = new Map(stored.map((p) => [p.partNumber, p]));
      const missing: number[] = [];
      const wrongSize: number[] = [];
      for (let n = 1; n <= plan.partCount; n += 1) {
        const part = byNumber.get(n);
        if (!part) missing.push(n);
        else if (part.size !== partRange(plan, n).size) wrongSize.push(n);
      }
      if (missing.length > 0 || wrongSize.length > 0) {
        const resend = [...missing, ...wrongSize].sort((a, b) => a - b);
        return fail(
          409,
          "parts_missing",
          `Parts ${summarise(resend)} must be sent again before this upload can complete.`,
          { details: { missing, wrongSize } },
        );
      }
      const parts = plannedParts(upload, stored);
      await repo.upsertParts(trx, upload.id, parts);
      await repo.deleteLedgerParts(
        trx,
        upload.id,
        stored.filter((p) => p.partNumber > plan.partCount).map((p) => p.partNumber),
      );
      const outcome = await completeMultipartUpload(services.storage, upload.s3_key, upload.s3_upload_id, parts);
      object = await headObject(services.storage, upload.s3_key);
      if (outcome === "gone" && !object) {
        await repo.updateUpload(trx, upload.id, {
          status: "failed",
          failure_reason: "The upload no longer exists in storage.",
        });
        return fail(409, "conflict", "This upload no longer exists in storage.");
      }
    }
    if (!object || object.size !== upload.size) {
      await deleteObject(services.storage, upload.s3_key);
      await repo.updateUpload(trx, upload.id, {
        status: "failed",
        failure_reason: `Storage holds ${object?.size ?? 0} bytes, not ${upload.size}.`,
      });
      return fail(422, "size_mismatch", "The stored file does not have the declared size; it was deleted.");
    }
    const head = await readObjectStart(services.storage, upload.s3_key, SNIFF_BYTES);
    if (!matchesContentType(upload.content_type, head)) {
      await deleteObject(services.storage, upload.s3_key);
      const reason = `The file's content is not ${upload.content_type}.`;
      await repo.updateUpload(trx, upload.id, { status: "failed", failure_reason: reason });
      return fail(422, "content_mismatch", `${reason} It was refused and deleted.`);
    }
    const completed = await repo.updateUpload(trx, upload.id, {
      status: "completed",
      etag: object.etag,
      checksum_sha256: object.checksumSha256 ?? null,
      completed_at: new Date(),
    });
    return ok(await ledgerView(completed));
  });
}

function summarise(numbers: number[]): string {
  return numbers.length > 10
    ? `${numbers.slice(0, 10).join(", ")} and ${numbers.length - 10} more`
    : numbers.join(", ");
}

/** Aborts in S3 (until S3 confirms) and marks the upload aborted. Idempotent; a completed upload is 409. */
export async function abortUpload(
  services: Services,
  user: Pick<User, "id">,
  id: string,
  reason?: string,
): Promise<Result<UploadView>> {
  const settings = services.config.uploads;
  return services.db.transaction().execute(async (trx): Promise<Result<UploadView>> => {
    const upload = await repo.lockUpload(trx, user.id, id);
    if (!upload) return notFound();
    if (upload.status === "completed")
      return fail(409, "conflict", "This upload is completed; delete the post that uses it instead.");
    if (upload.status === "aborted") return ok(uploadView(settings, upload, []));
    await abortUntilGone(services.storage, upload.s3_key, upload.s3_upload_id);
    await repo.deleteAllParts(trx, upload.id);
    const aborted = await repo.updateUpload(trx, upload.id, {
      status: "aborted",
      ...(reason ? { failure_reason: reason } : {}),
    });
    return ok(uploadView(settings, aborted, []));
  });
}
