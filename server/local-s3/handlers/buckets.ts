import type { RequestContext } from "../context.js";
import { errors } from "../errors.js";
import { OWNER, sendEmpty, sendXml } from "../respond.js";
import { xmlDocument } from "../xml.js";

function validateBucketName(name: string): void {
  if (
    !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) ||
    name.includes("..") ||
    /^\d+\.\d+\.\d+\.\d+$/.test(name) ||
    name.startsWith("xn--")
  ) {
    throw errors.invalidBucketName(name);
  }
}

export async function listBuckets(ctx: RequestContext): Promise<void> {
  sendXml(
    ctx,
    200,
    xmlDocument("ListAllMyBucketsResult", {
      Owner: OWNER,
      Buckets: { Bucket: ctx.store.listBuckets().map((b) => ({ Name: b.name, CreationDate: b.createdAt })) },
    }),
  );
}

export async function createBucket(ctx: RequestContext): Promise<void> {
  validateBucketName(ctx.bucket);
  ctx.req.resume();
  await ctx.store.createBucket(ctx.bucket);
  sendEmpty(ctx.res, 200, { Location: `/${ctx.bucket}` });
}

export async function headBucket(ctx: RequestContext): Promise<void> {
  ctx.store.bucket(ctx.bucket);
  sendEmpty(ctx.res, 200, { "x-amz-bucket-region": "us-east-1" });
}

export async function deleteBucket(ctx: RequestContext): Promise<void> {
  await ctx.store.deleteBucket(ctx.bucket);
  sendEmpty(ctx.res, 204);
}

export async function getBucketLocation(ctx: RequestContext): Promise<void> {
  ctx.store.bucket(ctx.bucket);
  sendXml(ctx, 200, xmlDocument("LocationConstraint", {}));
}
