import { receiveBody } from "../body.js";
import {
  assertObjectChecksumFormat,
  parseAlgorithm,
  uploadChecksumType,
  type ChecksumAlgorithm,
  type Checksums,
} from "../checksums.js";
import { writePrecondition } from "../conditions.js";
import { header, intParam, uploadIdParam, type RequestContext } from "../context.js";
import { errors } from "../errors.js";
import {
  MAX_PART_SIZE,
  checkStatedChecksums,
  checkStatedMode,
  checksumTypeOf,
  choosePartsToComplete,
  confirmSameCompletion,
  describeCompleted,
  parseCompletedParts,
  parsePartNumber,
} from "../multipart.js";
import { checksumHeaders, checksumXml, storedHeaders } from "../object-headers.js";
import { bodyExpectations, declaredChecksums, receiveXml } from "../receive.js";
import { OWNER, sendEmpty, sendXml } from "../respond.js";
import { storePartBody } from "../store-body.js";
import { asArray, xmlDocument } from "../xml.js";

export async function createMultipartUpload(ctx: RequestContext): Promise<void> {
  ctx.store.bucket(ctx.bucket);
  const stored = storedHeaders(ctx);
  const algorithm = parseAlgorithm(header(ctx.req, "x-amz-checksum-algorithm"), "x-amz-checksum-algorithm");
  const checksumType = uploadChecksumType(algorithm, header(ctx.req, "x-amz-checksum-type"));
  ctx.req.resume();
  const upload = await ctx.store.createUpload(ctx.bucket, {
    ...stored,
    key: ctx.key,
    ...(algorithm ? { checksumAlgorithm: algorithm, checksumType } : {}),
  });
  const headers: Record<string, string> =
    algorithm && checksumType ? { "x-amz-checksum-algorithm": algorithm, "x-amz-checksum-type": checksumType } : {};
  sendXml(
    ctx,
    200,
    xmlDocument("InitiateMultipartUploadResult", { Bucket: ctx.bucket, Key: ctx.key, UploadId: upload.uploadId }),
    headers,
  );
}

export async function uploadPart(ctx: RequestContext): Promise<void> {
  const partNumber = parsePartNumber(ctx.query.get("partNumber"));
  const upload = ctx.store.upload(ctx.bucket, ctx.key, uploadIdParam(ctx));
  const algorithm = upload.meta.checksumAlgorithm;
  const expect = bodyExpectations(ctx, algorithm ? [algorithm] : [], MAX_PART_SIZE);
  const declared = [...Object.keys(expect.checksums), ...(expect.trailerAlgorithm ? [expect.trailerAlgorithm] : [])];
  if (algorithm && declared.some((a) => a !== algorithm)) {
    throw errors.invalidRequest(
      `Checksum Type mismatch occurred, expected checksum Type: ${algorithm.toLowerCase()}, actual checksum Type: ${declared[0]!.toLowerCase()}`,
    );
  }
  const file = ctx.store.tmpFile();
  const body = await receiveBody(ctx.req, ctx.requestTaps(), file, expect);
  const part = await storePartBody(ctx, upload.meta.uploadId, partNumber, file, body);
  const returned: Checksums = {};
  for (const a of declared.length > 0 ? declared : algorithm ? [algorithm] : [])
    returned[a as ChecksumAlgorithm] = part.checksums[a as ChecksumAlgorithm]!;
  sendEmpty(ctx.res, 200, { ETag: part.etag, ...checksumHeaders(returned) });
}

export async function listParts(ctx: RequestContext): Promise<void> {
  const upload = ctx.store.upload(ctx.bucket, ctx.key, uploadIdParam(ctx));
  const maxParts = intParam(ctx, "max-parts", 1000, 1000);
  const marker = intParam(ctx, "part-number-marker", 0, Number.MAX_SAFE_INTEGER);
  const all = [...upload.parts.values()]
    .filter((p) => p.partNumber > marker)
    .sort((a, b) => a.partNumber - b.partNumber);
  const page = all.slice(0, maxParts);
  const algorithm = upload.meta.checksumAlgorithm;
  sendXml(
    ctx,
    200,
    xmlDocument("ListPartsResult", {
      Bucket: ctx.bucket,
      Key: ctx.key,
      UploadId: upload.meta.uploadId,
      PartNumberMarker: marker,
      NextPartNumberMarker: page.at(-1)?.partNumber ?? marker,
      MaxParts: maxParts,
      IsTruncated: all.length > page.length,
      Initiator: OWNER,
      Owner: OWNER,
      StorageClass: "STANDARD",
      ChecksumAlgorithm: algorithm,
      ChecksumType: checksumTypeOf(upload.meta),
      Part: page.map((p) => ({
        PartNumber: p.partNumber,
        LastModified: p.lastModified,
        ETag: p.etag,
        Size: p.size,
        ...(algorithm ? checksumXml(p.checksums, algorithm) : {}),
      })),
    }),
  );
}

export async function completeMultipartUpload(ctx: RequestContext): Promise<void> {
  const uploadId = uploadIdParam(ctx);
  ctx.store.assertCompletable(ctx.bucket, ctx.key, uploadId);
  // The object checksums it states: "<base64>-<parts>" for a composite upload, "<base64>" for a full-object one.
  const stated = declaredChecksums(ctx, assertObjectChecksumFormat);
  const statedType = header(ctx.req, "x-amz-checksum-type");
  // Here x-amz-checksum-* state the object's checksum, not the XML body's.
  const body = await receiveXml(ctx, "CompleteMultipartUpload", false);
  const listed = parseCompletedParts(asArray(body.Part as Record<string, unknown> | Array<Record<string, unknown>>));
  const done = await ctx.store.completeUpload(ctx.bucket, ctx.key, uploadId, {
    choose: (upload) => choosePartsToComplete(listed, upload, ctx.minPartSize),
    describe: async (parts, upload) => {
      checkStatedMode(stated, statedType, upload.meta);
      const described = await describeCompleted(parts, upload.meta);
      checkStatedChecksums(stated, described);
      return described;
    },
    precondition: writePrecondition(ctx),
    replay: (earlier) => {
      confirmSameCompletion(listed, earlier);
      checkStatedChecksums(stated, earlier);
    },
  });
  const host = header(ctx.req, "host") ?? "localhost";
  sendXml(
    ctx,
    200,
    xmlDocument("CompleteMultipartUploadResult", {
      Location: `http://${host}/${ctx.bucket}/${encodeURIComponent(ctx.key).replace(/%2F/g, "/")}`,
      Bucket: ctx.bucket,
      Key: ctx.key,
      ETag: done.etag,
      ...checksumXml(done.checksums),
      ChecksumType: done.checksumType,
    }),
  );
}

export async function abortMultipartUpload(ctx: RequestContext): Promise<void> {
  await ctx.store.abortUpload(ctx.bucket, ctx.key, uploadIdParam(ctx));
  sendEmpty(ctx.res, 204);
}

export async function listMultipartUploads(ctx: RequestContext): Promise<void> {
  const prefix = ctx.query.get("prefix") ?? "";
  const keyMarker = ctx.query.get("key-marker") ?? "";
  const uploadIdMarker = ctx.query.get("upload-id-marker") ?? "";
  const maxUploads = intParam(ctx, "max-uploads", 1000, 1000);
  const all = ctx.store
    .listUploads(ctx.bucket)
    .map((u) => u.meta)
    .filter((u) => u.key.startsWith(prefix))
    .filter((u) => u.key > keyMarker || (u.key === keyMarker && uploadIdMarker !== "" && u.uploadId > uploadIdMarker))
    .sort((a, b) => (a.key === b.key ? a.uploadId.localeCompare(b.uploadId) : a.key < b.key ? -1 : 1));
  const page = all.slice(0, maxUploads);
  const isTruncated = all.length > page.length;
  sendXml(
    ctx,
    200,
    xmlDocument("ListMultipartUploadsResult", {
      Bucket: ctx.bucket,
      KeyMarker: keyMarker,
      UploadIdMarker: uploadIdMarker,
      NextKeyMarker: isTruncated ? page.at(-1)!.key : undefined,
      NextUploadIdMarker: isTruncated ? page.at(-1)!.uploadId : undefined,
      Prefix: prefix,
      MaxUploads: maxUploads,
      IsTruncated: isTruncated,
      Upload: page.map((u) => ({
        Key: u.key,
        UploadId: u.uploadId,
        Initiator: OWNER,
        Owner: OWNER,
        StorageClass: "STANDARD",
        Initiated: u.initiated,
        ChecksumAlgorithm: u.checksumAlgorithm,
        ChecksumType: checksumTypeOf(u),
      })),
    }),
  );
}
