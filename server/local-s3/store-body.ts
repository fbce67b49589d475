import { unlink } from "node:fs/promises";
import type { BodyResult } from "./body.js";
import type { RequestContext } from "./context.js";
import { S3Error } from "./errors.js";
import type { ObjectMeta, PartMeta, StoredHeaders, WritePrecondition } from "./records.js";

/** S3's largest single PUT (and copy source). */
export const MAX_OBJECT_SIZE = 5 * 1024 * 1024 * 1024;
const MAX_KEY_LENGTH = 1024;

/** Refuses a key longer than S3 allows, before any of the body is read. */
export function assertKeyLength(ctx: RequestContext): void {
  if (ctx.key.length > MAX_KEY_LENGTH) throw new S3Error(400, "KeyTooLongError", "Your key is too long");
}

/** What an object and a part record alike about their body: size, MD5 ETag, time and checksums. */
function bodyFacts(body: BodyResult): Pick<PartMeta, "size" | "etag" | "lastModified" | "checksums"> {
  return {
    size: body.size,
    etag: `"${body.md5Hex}"`,
    lastModified: new Date().toISOString(),
    checksums: body.checksums,
  };
}

/** Makes a received (or copied) body in `file` the whole of ctx.key, under an MD5 ETag. */
export async function storeObjectBody(
  ctx: RequestContext,
  file: string,
  body: BodyResult,
  headers: StoredHeaders,
  precondition?: WritePrecondition,
): Promise<ObjectMeta> {
  ctx.stats.bytesStored += body.size;
  const meta = {
    ...headers,
    key: ctx.key,
    ...bodyFacts(body),
    ...(Object.keys(body.checksums).length > 0 ? { checksumType: "FULL_OBJECT" as const } : {}),
  };
  try {
    return await ctx.store.putObject(ctx.bucket, [{ path: file, size: body.size }], meta, precondition);
  } catch (error) {
    await unlink(file).catch(() => undefined);
    throw error;
  }
}

/** Makes a received (or copied) body in `file` part `partNumber` of an upload of ctx.key. */
export function storePartBody(
  ctx: RequestContext,
  uploadId: string,
  partNumber: number,
  file: string,
  body: BodyResult,
): Promise<PartMeta> {
  ctx.stats.bytesStored += body.size;
  return ctx.store.putPart(ctx.bucket, ctx.key, uploadId, file, {
    partNumber,
    ...bodyFacts(body),
  });
}
