import type { Operation } from "./faults.js";

/**
 * Query parameters that select another S3 API on the same path ("subresources"). Those this server
 * does not implement must never fall through to the plain object or bucket operation: a
 * `DELETE /bucket/key?tagging` would otherwise delete the object, and a `GET ?acl` would return its bytes.
 */
const OTHER_SUBRESOURCES = [
  "accelerate",
  "acl",
  "analytics",
  "attributes",
  "encryption",
  "intelligent-tiering",
  "inventory",
  "legal-hold",
  "lifecycle",
  "logging",
  "metrics",
  "metadataTable",
  "notification",
  "object-lock",
  "ownershipControls",
  "policy",
  "policyStatus",
  "publicAccessBlock",
  "replication",
  "requestPayment",
  "restore",
  "retention",
  "select",
  "session",
  "tagging",
  "torrent",
  "versioning",
  "website",
];

/** The subresource of a request that selects an API this server does not implement, if any. */
export function otherSubresource(query: Map<string, string>): string | undefined {
  return OTHER_SUBRESOURCES.find((name) => query.has(name));
}

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
  const subresource = otherSubresource(query);
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
