import type { Handler } from "./context.js";
import type { Operation } from "./operations.js";
import * as buckets from "./handlers/buckets.js";
import { copyObject, uploadPartCopy } from "./handlers/copy.js";
import * as listObjects from "./handlers/list-objects.js";
import * as multipart from "./handlers/multipart.js";
import * as objects from "./handlers/objects.js";
import * as subresources from "./handlers/subresources.js";

/** Read-only subresource APIs answered as S3 answers them for a bucket that never configured them. */
function emulatedRead(bucketLevel: boolean, subresource: string): Operation | undefined {
  if (subresource === "acl") return bucketLevel ? "GetBucketAcl" : "GetObjectAcl";
  if (subresource === "tagging") return bucketLevel ? "GetBucketTagging" : "GetObjectTagging";
  if (!bucketLevel) return undefined;
  if (subresource === "policy") return "GetBucketPolicy";
  if (subresource === "versioning") return "GetBucketVersioning";
  if (subresource === "lifecycle") return "GetBucketLifecycleConfiguration";
  return undefined;
}

/** Maps a path-style S3 request to its operation, as S3's REST API does (`copySource`: x-amz-copy-source is set). */
export function resolveOperation(
  method: string,
  bucket: string,
  key: string,
  query: Map<string, string>,
  copySource = false,
): Operation | undefined {
  if (method === "OPTIONS") return bucket ? "Preflight" : undefined;
  if (!bucket) return method === "GET" ? "ListBuckets" : undefined;
  const subresource = subresources.otherSubresource(query);
  if (subresource) return (method === "GET" && emulatedRead(!key, subresource)) || "Unsupported";
  if (!key) {
    switch (method) {
      case "PUT":
        return query.has("cors") ? "PutBucketCors" : "CreateBucket";
      case "HEAD":
        return "HeadBucket";
      case "DELETE":
        return query.has("cors") ? "DeleteBucketCors" : "DeleteBucket";
      case "POST":
        return query.has("delete") ? "DeleteObjects" : undefined;
      case "GET":
        if (query.has("cors")) return "GetBucketCors";
        if (query.has("location")) return "GetBucketLocation";
        if (query.has("uploads")) return "ListMultipartUploads";
        if (query.has("versions")) return "ListObjectVersions";
        return query.get("list-type") === "2" ? "ListObjectsV2" : "ListObjects";
    }
    return undefined;
  }
  switch (method) {
    case "PUT":
      if (query.has("uploadId") || query.has("partNumber")) return copySource ? "UploadPartCopy" : "UploadPart";
      return copySource ? "CopyObject" : "PutObject";
    case "GET":
      return query.has("uploadId") ? "ListParts" : "GetObject";
    case "HEAD":
      return "HeadObject";
    case "DELETE":
      return query.has("uploadId") ? "AbortMultipartUpload" : "DeleteObject";
    case "POST":
      if (query.has("uploads")) return "CreateMultipartUpload";
      if (query.has("uploadId")) return "CompleteMultipartUpload";
      return undefined;
  }
  return undefined;
}

/** The handler of each operation (a preflight is answered before authentication, without one). */
export const HANDLERS: Record<Exclude<Operation, "Preflight">, Handler> = {
  ListBuckets: buckets.listBuckets,
  CreateBucket: buckets.createBucket,
  HeadBucket: buckets.headBucket,
  DeleteBucket: buckets.deleteBucket,
  GetBucketLocation: buckets.getBucketLocation,
  PutBucketCors: subresources.putBucketCors,
  GetBucketCors: subresources.getBucketCors,
  DeleteBucketCors: subresources.deleteBucketCors,
  PutObject: objects.putObject,
  CopyObject: copyObject,
  GetObject: objects.getObject,
  HeadObject: objects.headObject,
  DeleteObject: objects.deleteObject,
  DeleteObjects: objects.deleteObjects,
  ListObjects: listObjects.listObjects,
  ListObjectsV2: listObjects.listObjectsV2,
  ListObjectVersions: listObjects.listObjectVersions,
  CreateMultipartUpload: multipart.createMultipartUpload,
  UploadPart: multipart.uploadPart,
  UploadPartCopy: uploadPartCopy,
  ListParts: multipart.listParts,
  CompleteMultipartUpload: multipart.completeMultipartUpload,
  AbortMultipartUpload: multipart.abortMultipartUpload,
  ListMultipartUploads: multipart.listMultipartUploads,
  GetBucketAcl: subresources.getAcl,
  GetObjectAcl: subresources.getAcl,
  GetBucketPolicy: subresources.getBucketPolicy,
  GetBucketVersioning: subresources.getBucketVersioning,
  GetBucketLifecycleConfiguration: subresources.getBucketLifecycleConfiguration,
  GetBucketTagging: subresources.getBucketTagging,
  GetObjectTagging: subresources.getObjectTagging,
  Unsupported: subresources.unsupported,
};
