import { pipeline } from "node:stream/promises";
import { receiveBody } from "../body.js";
import { CHECKSUM_ALGORITHMS, headerName } from "../checksums.js";
import { evaluateConditions, requestConditions, writePrecondition } from "../conditions.js";
import { header, type RequestContext } from "../context.js";
import { errors } from "../errors.js";
import { checksumHeaders, objectHeaders, responseOverrides, storedHeaders } from "../object-headers.js";
import { bodyExpectations, receiveXml } from "../receive.js";
import { sendEmpty, sendHeaders, sendXml } from "../respond.js";
import { parsePartNumber } from "../multipart.js";
import { MAX_OBJECT_SIZE, assertKeyLength, storeObjectBody } from "../store-body.js";
import type { ObjectMeta } from "../records.js";
import { asArray, xmlDocument, type XmlNode } from "../xml.js";

export async function putObject(ctx: RequestContext): Promise<void> {
  ctx.store.bucket(ctx.bucket);
  assertKeyLength(ctx);
  const stored = storedHeaders(ctx);
  const expect = bodyExpectations(ctx, [], MAX_OBJECT_SIZE);
  const file = ctx.store.tmpFile();
  const precondition = writePrecondition(ctx);
  const body = await receiveBody(ctx.req, ctx.requestTaps(), file, expect);
  const meta = await storeObjectBody(ctx, file, body, stored, precondition);
  sendEmpty(ctx.res, 200, { ETag: meta.etag, ...checksumHeaders(meta.checksums, meta.checksumType) });
}

type Range = { start: number; end: number } | "unsatisfiable" | undefined;

/** Parses a single-range `bytes=` header as S3 does; anything else means "whole object". */
export function parseRange(value: string | undefined, size: number): Range {
  const match = value?.match(/^bytes=(\d*)-(\d*)$/);
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (match[2] !== "" && Number(match[2]) < start) return undefined;
  if (start >= size) return "unsatisfiable";
  return { start, end };
}

/** The bytes of part `partNumber` (?partNumber): a part of a multipart object, or all of any other as its part 1. */
function partRange(meta: ObjectMeta, partNumber: number): { start: number; end: number } {
  const sizes = meta.partCount ? meta.segments.map((s) => s.size) : [meta.size];
  if (partNumber > sizes.length) throw errors.invalidPartNumber();
  const start = sizes.slice(0, partNumber - 1).reduce((sum, size) => sum + size, 0);
  return { start, end: start + sizes[partNumber - 1]! - 1 };
}

/** The bytes a read asks for: a Range, a part, or the whole object; an unsatisfiable Range is S3's 416. */
function requestedRange(ctx: RequestContext, meta: ObjectMeta): { start: number; end: number; partial: boolean } {
  const partNumber = ctx.query.get("partNumber");
  if (partNumber !== undefined) {
    if (header(ctx.req, "range") !== undefined) {
      throw errors.invalidRequest("Cannot specify both Range header and partNumber query parameter");
    }
    return { ...partRange(meta, parsePartNumber(partNumber)), partial: true };
  }
  const range = parseRange(header(ctx.req, "range"), meta.size);
  if (range === "unsatisfiable") {
    ctx.res.setHeader("Content-Range", `bytes */${meta.size}`);
    throw errors.invalidRange(meta.size);
  }
  return range ? { ...range, partial: true } : { start: 0, end: meta.size - 1, partial: false };
}

async function readObject(ctx: RequestContext, headOnly: boolean): Promise<void> {
  const meta = ctx.store.object(ctx.bucket, ctx.key);
  const condition = evaluateConditions(requestConditions(ctx), meta);
  if (condition === "failed") throw errors.preconditionFailed();
  const base: Record<string, string> = {
    ETag: meta.etag,
    "Last-Modified": new Date(meta.lastModified).toUTCString(),
    "Accept-Ranges": "bytes",
  };
  if (condition === "not-modified") return sendEmpty(ctx.res, 304, base);
  const headers: Record<string, string | number> = { ...base, ...objectHeaders(meta) };
  Object.assign(headers, responseOverrides(ctx));
  const { start, end, partial } = requestedRange(ctx, meta);
  // As S3 does, only a read of one part says how many the object has.
  if (meta.partCount && ctx.query.has("partNumber")) headers["x-amz-mp-parts-count"] = meta.partCount;
  if (!partial && header(ctx.req, "x-amz-checksum-mode")?.toUpperCase() === "ENABLED") {
    Object.assign(headers, checksumHeaders(meta.checksums, meta.checksumType));
  }
  headers["Content-Length"] = Math.max(0, end - start + 1);
  // An empty part (of an empty object) has no range to name.
  if (partial && end >= start) headers["Content-Range"] = `bytes ${start}-${end}/${meta.size}`;
  const status = partial ? 206 : 200;
  if (headOnly || meta.size === 0) return sendHeaders(ctx.res, status, headers);
  const stream = ctx.store.readObject(ctx.bucket, meta, start, end);
  ctx.res.writeHead(status, headers);
  await pipeline([stream, ...ctx.responseTaps(), ctx.res]).catch(() => {
    // The client went away mid-body: nothing to clean up, the object is untouched.
  });
}

export const getObject = (ctx: RequestContext) => readObject(ctx, false);
export const headObject = (ctx: RequestContext) => readObject(ctx, true);

export async function deleteObject(ctx: RequestContext): Promise<void> {
  ctx.store.bucket(ctx.bucket);
  await ctx.store.deleteObject(ctx.bucket, ctx.key);
  sendEmpty(ctx.res, 204);
}

export async function deleteObjects(ctx: RequestContext): Promise<void> {
  ctx.store.bucket(ctx.bucket);
  if (
    !header(ctx.req, "content-md5") &&
    !CHECKSUM_ALGORITHMS.some((a) => header(ctx.req, headerName(a)) || header(ctx.req, "x-amz-trailer"))
  ) {
    throw errors.invalidRequest("Missing required header for this request: Content-MD5 OR x-amz-checksum-*");
  }
  const body = await receiveXml(ctx, "Delete");
  const objects = asArray(body.Object as Record<string, unknown> | Array<Record<string, unknown>>);
  if (objects.length > 1000) throw errors.malformedXml();
  const quiet = String(body.Quiet) === "true";
  const deleted: XmlNode[] = [];
  for (const object of objects) {
    if (typeof object.Key !== "string") throw errors.malformedXml();
    await ctx.store.deleteObject(ctx.bucket, object.Key);
    if (!quiet) deleted.push({ Key: object.Key });
  }
  sendXml(ctx, 200, xmlDocument("DeleteResult", { Deleted: deleted }));
}
