import { randomBytes, randomUUID } from "node:crypto";
import { partRange, planParts, S3_LIMITS } from "../../app/shared/plan.js";
import { POSTER } from "../../app/shared/posts.js";
import type { SignedParts, UnfinishedUpload, UnfinishedUploadsPage } from "../../app/shared/uploads.js";
import type { UploadSettings } from "../config/app-config.js";
import { formatBytes } from "../config/units.js";
import type { Executor } from "../db/connection.js";
import { keysetPage } from "../db/cursor.js";
import type { Upload, User } from "../db/schema.js";
import { takeRateToken } from "../limits/rate-limit.js";
import { fail, ok, type Result } from "../result.js";
import type { Services } from "../services.js";
import { abortUntilGone, createMultipartUpload, findParts, type StoredPart } from "../storage/multipart.js";
import { presignUploadParts } from "../storage/presign.js";
import { notFound, notUploading } from "./errors.js";
import { partRecorded, partsSigned, uploadAborted, uploadCreated, uploadDeleted, type AbortKind } from "./events.js";
import { attachmentDisposition, sanitizeFileName } from "./file-names.js";
import { currentView, failGone, ledgerView, planOf, toPartView } from "./ledger.js";
import { checkUploadQuota } from "./quota.js";
import * as repo from "./repository.js";
import { DELETED_BY_OWNER, deleteCompleted } from "./unposted.js";
import {
  partNumberParam,
  type CreateUploadInput,
  type RecordPartInput,
  type RecordPartsInput,
  type SignPartsInput,
} from "./schemas.js";
import { uploadView, type PartView, type UploadView } from "./views.js";

/** Starts an upload, or returns the user's unfinished one for the same file (same fingerprint). */
export async function createUpload(
  services: Services,
  user: User,
  input: CreateUploadInput,
): Promise<Result<{ upload: UploadView; created: boolean }>> {
  const settings = services.config.uploads;
  const request = {
    ...input,
    contentType: input.contentType.toLowerCase(),
    fileName: sanitizeFileName(input.fileName),
  };
  const refused =
    refuseTypeOrSize(settings, request.contentType, request.size) ??
    (request.purpose === "poster" ? refusePoster(request.contentType, request.size) : undefined);
  if (refused) return refused;

  // One user at a time: the quota check, the fingerprint check and the insert must not interleave.
  return services.db.transaction().execute(async (trx) => {
    await repo.lockUserUploads(trx, user.id);
    const existing = await repo.findUnfinishedByFingerprint(trx, user.id, request.fingerprint);
    if (existing) {
      if (
        existing.size !== request.size ||
        existing.content_type !== request.contentType ||
        existing.purpose !== request.purpose
      ) {
        return fail(409, "conflict", "An unfinished upload with this fingerprint has another size, type or purpose.");
      }
      uploadCreated(services, existing, true);
      return ok({ upload: await currentView(trx, services, existing), created: false });
    }
    const quota = await checkUploadQuota(trx, settings, user.id, request.size);
    if (!quota.ok) return quota;
    // Counted in this transaction: an upload that fails to start gives its token back.
    const token = await takeRateToken(trx, `uploads:${user.id}`, settings.createRate, services.now(), "new uploads");
    if (!token.ok) return token;
    const upload = await startUpload(trx, services, user, request);
    uploadCreated(services, upload, false);
    return ok({ upload: uploadView(settings, upload, []), created: true });
  });
}

/** Refuses a type that is not allowed and a size over the type's limit (or S3's). */
function refuseTypeOrSize(settings: UploadSettings, contentType: string, size: number): Result<never> | undefined {
  const maxSize = settings.allowedTypes[contentType];
  if (maxSize === undefined) {
    return fail(
      400,
      "unsupported_type",
      `Files of type ${contentType} cannot be uploaded. Allowed: ${Object.keys(settings.allowedTypes).join(", ")}.`,
      { fields: { contentType: ["is not an allowed type"] } },
    );
  }
  if (size > maxSize || size > S3_LIMITS.maxObjectSize) {
    return fail(
      400,
      "too_large",
      `This file is ${formatBytes(size)}; ${contentType} files can be up to ${formatBytes(maxSize)}.`,
      { fields: { size: [`must be at most ${maxSize} bytes`] } },
    );
  }
  return undefined;
}

/** A poster is a small still: WebP or JPEG, a few hundred KB at most. */
function refusePoster(contentType: string, size: number): Result<never> | undefined {
  if (!POSTER.types.includes(contentType))
    return fail(400, "unsupported_type", `A poster must be ${POSTER.types.join(" or ")}.`, {
      fields: { contentType: ["is not a poster type"] },
    });
  if (size > POSTER.maxBytes)
    return fail(400, "too_large", `A poster can be up to ${formatBytes(POSTER.maxBytes)}.`, {
      fields: { size: [`must be at most ${POSTER.maxBytes} bytes`] },
    });
  return undefined;
}

/**
 * Creates the multipart upload in S3 under a random key, then its row in the ledger. The key and the
 * object's metadata, which every media URL and response shows, say nothing of who uploaded it or
 * when the file was last modified: the ledger keeps the owner.
 */
async function startUpload(db: Executor, services: Services, user: User, request: CreateUploadInput): Promise<Upload> {
  const id = randomUUID();
  const key = `uploads/${randomBytes(24).toString("base64url")}`;
  const plan = planParts(request.size, services.config.uploads.partSize);
  const s3UploadId = await createMultipartUpload(services.storage, {
    key,
    contentType: request.contentType,
    contentDisposition: attachmentDisposition(request.fileName),
    metadata: { "upload-id": id },
    checksum: services.config.uploads.checksum,
  });
  const upload = await repo.insertUpload(db, {
    id,
    user_id: user.id,
    s3_key: key,
    s3_upload_id: s3UploadId,
    file_name: request.fileName,
    content_type: request.contentType,
    size: request.size,
    part_size: plan.partSize,
    part_count: plan.partCount,
    fingerprint: request.fingerprint,
    checksum_algorithm: services.config.uploads.checksum.algorithm,
    checksum_type: services.config.uploads.checksum.type,
    purpose: request.purpose,
  });
  if (!upload) throw new Error("upload insert conflicted while holding the user's lock");
  return upload;
}

export async function getUpload(services: Services, user: User, id: string): Promise<Result<UploadView>> {
  const upload = await repo.findUpload(services.db, user.id, id);
  if (!upload) return notFound();
  return ok(await currentView(services.db, services, upload));
}

/** A page of the user's unfinished uploads of files they chose (not posters), newest first, from the ledger (cheap: no S3 call per upload). */
export async function listUnfinishedUploads(
  services: Services,
  user: User,
  cursorText?: string | null,
): Promise<Result<UnfinishedUploadsPage>> {
  const page = await keysetPage(cursorText, services.config.uploads.listPageSize, (limit, after) =>
    repo.listUnfinishedWithProgress(services.db, user.id, { limit, after }),
  );
  if (!page.ok) return page;
  const uploads = page.value.items.map((u): UnfinishedUpload => ({
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
  return ok({ uploads, nextCursor: page.value.nextCursor });
}

/**
 * Presigned URLs for up to 100 parts, each signed for its planned length and its checksum in the
 * upload's algorithm (the one it was created with, even if the operator's mode changed since).
 */
export async function signParts(
  services: Services,
  user: User,
  id: string,
  input: SignPartsInput,
): Promise<Result<SignedParts>> {
  const started = performance.now();
  const numbers = input.parts.map((p) => p.partNumber);
  const repeated = refuseRepeated(numbers);
  if (repeated) return repeated;
  const upload = await repo.findUpload(services.db, user.id, id);
  if (!upload) return notFound();
  const plan = planOf(upload);
  const beyond = refuseBeyondPlan(numbers, plan.partCount);
  if (beyond) return beyond;
  if (upload.status !== "uploading") return notUploading(upload);
  const otherAlgorithm = input.parts.find((p) => p.checksum.algorithm !== upload.checksum_algorithm);
  if (otherAlgorithm) return wrongAlgorithm(upload, otherAlgorithm.checksum.algorithm);
  const ttl = services.config.uploads.urlTtlSeconds;
  const signingDate = new Date();
  const signed = await presignUploadParts(
    services.storage,
    { key: upload.s3_key, uploadId: upload.s3_upload_id },
    input.parts.map((p) => ({ ...p, size: partRange(plan, p.partNumber).size })),
    ttl,
    signingDate,
  );
  await repo.touchUpload(services.db, upload.id);
  partsSigned(services, upload, numbers, (performance.now() - started) / 1000);
  return ok({
    expiresAt: new Date(signingDate.getTime() + ttl * 1000).toISOString(),
    parts: signed.map((s) => ({ ...s, size: partRange(plan, s.partNumber).size })),
  });
}

/** Records a part the browser sent, once S3 confirms it holds that part with this ETag (and checksum). */
export async function recordPart(
  services: Services,
  user: User,
  id: string,
  partNumberText: string,
  input: RecordPartInput,
): Promise<Result<PartView>> {
  const number = partNumberParam.safeParse(partNumberText);
  if (!number.success) {
    return fail(400, "invalid_input", "The part number must be a whole number from 1 to 10000.", {
      fields: { partNumber: ["must be 1..10000"] },
    });
  }
  const recorded = await recordParts(services, user, id, { parts: [{ ...input, partNumber: number.data }] });
  return recorded.ok ? ok(recorded.value.parts[0]!) : recorded;
}

/**
 * Records parts the browser sent (a batch, as the uploader sends them in the background), once S3
 * confirms it holds each with its ETag, checksum and planned size. All or nothing: when storage lacks
 * one of them, nothing is recorded and the answer names the parts.
 */
export async function recordParts(
  services: Services,
  user: User,
  id: string,
  input: RecordPartsInput,
): Promise<Result<{ parts: PartView[] }>> {
  const numbers = input.parts.map((p) => p.partNumber);
  const repeated = refuseRepeated(numbers);
  if (repeated) return repeated;
  const upload = await repo.findUpload(services.db, user.id, id);
  if (!upload) return notFound();
  const plan = planOf(upload);
  const beyond = refuseBeyondPlan(numbers, plan.partCount);
  if (beyond) return beyond;
  if (upload.status !== "uploading") return notUploading(upload);
  const otherAlgorithm = input.parts.find((p) => p.checksum && p.checksum.algorithm !== upload.checksum_algorithm);
  if (otherAlgorithm?.checksum) return wrongAlgorithm(upload, otherAlgorithm.checksum.algorithm);
  const found = await findParts(services.storage, upload.s3_key, upload.s3_upload_id, numbers);
  if (found === "gone") return failGone(services.db, services, upload);
  const stored: StoredPart[] = [];
  const unknown: string[] = [];
  for (const { partNumber, etag: sentEtag, checksum } of input.parts) {
    const part = found.get(partNumber);
    const etag = sentEtag.startsWith('"') ? sentEtag : `"${sentEtag}"`;
    const plannedSize = partRange(plan, partNumber).size;
    if (!part || part.etag !== etag || (checksum && part.checksum !== checksum.value))
      unknown.push(`storage has no part ${partNumber} with this ETag${checksum ? " and checksum" : ""}`);
    else if (part.size !== plannedSize)
      unknown.push(`part ${partNumber} in storage has ${part.size} bytes, not the ${plannedSize} planned`);
    else stored.push(part);
  }
  if (unknown.length > 0) {
    const message = unknown.join("; ");
    return fail(400, "unknown_part", `${message[0]!.toUpperCase()}${message.slice(1)}.`);
  }
  await repo.upsertParts(services.db, upload.id, stored);
  await repo.touchUpload(services.db, upload.id);
  for (const part of stored) partRecorded(services, upload, part.partNumber, part.size);
  return ok({ parts: stored.map(toPartView) });
}

/** Each part at most once per call. */
function refuseRepeated(numbers: number[]): Result<never> | undefined {
  const repeated = [...new Set(numbers.filter((n, i) => numbers.indexOf(n) !== i))];
  if (repeated.length === 0) return undefined;
  return fail(400, "invalid_input", `Part numbers must be unique; repeated: ${repeated.join(", ")}.`, {
    fields: { parts: [`duplicate part numbers ${repeated.join(", ")}`] },
  });
}

function refuseBeyondPlan(numbers: number[], partCount: number): Result<never> | undefined {
  const beyond = numbers.filter((n) => n > partCount);
  if (beyond.length === 0) return undefined;
  return fail(400, "invalid_input", `This upload has ${partCount} parts; ${beyond.join(", ")} is beyond the plan.`, {
    fields: { parts: [`part numbers must be 1..${partCount}`] },
  });
}

/** A checksum in another algorithm than the upload's: S3 would refuse the part. */
function wrongAlgorithm(upload: Upload, algorithm: string): Result<never> {
  return fail(
    400,
    "invalid_input",
    `This upload's parts are checked with ${upload.checksum_algorithm}, not ${algorithm}.`,
    { fields: { checksum: [`algorithm must be ${upload.checksum_algorithm}`] } },
  );
}

/** Why an upload is discarded: the metric label, and the reason kept on the ledger row when there is one. */
export interface AbortCause {
  kind: AbortKind;
  reason?: string;
}

/**
 * Discards an upload: an unfinished one is aborted in S3 (until S3 confirms) and marked aborted; a
 * completed one that no post uses has its object deleted and is marked deleted (409 when a post
 * uses it). Idempotent.
 */
export async function abortUpload(
  services: Services,
  user: Pick<User, "id">,
  id: string,
  cause: AbortCause = { kind: "user" },
): Promise<Result<UploadView>> {
  const settings = services.config.uploads;
  return services.db.transaction().execute(async (trx): Promise<Result<UploadView>> => {
    const upload = await repo.lockUpload(trx, user.id, id);
    if (!upload) return notFound();
    if (upload.status === "completed") {
      const deleted = await deleteCompleted(trx, services, upload, cause.reason ?? DELETED_BY_OWNER);
      if (!deleted.ok) return deleted;
      uploadDeleted(services, deleted.value, cause.kind);
      return ok(await ledgerView(trx, settings, deleted.value));
    }
    if (upload.status === "aborted" || upload.status === "deleted") return ok(uploadView(settings, upload, []));
    await abortUntilGone(services.storage, upload.s3_key, upload.s3_upload_id);
    await repo.deleteAllParts(trx, upload.id);
    const aborted = await repo.updateUpload(trx, upload.id, {
      status: "aborted",
      ...(cause.reason ? { failure_reason: cause.reason } : {}),
    });
    uploadAborted(services, aborted, cause.kind);
    return ok(uploadView(settings, aborted, []));
  });
}
