import type { Operation } from "./faults.js";

/** Maps a path-style S3 request to its operation, as S3's REST API does. */
export function resolveOperation(
  method: string,
  bucket: string,
  key: string,
  query: Map<string, string>,
): Operation | undefined {
  if (method === "OPTIONS") return bucket ? "Preflight" : undefined;
  if (!bucket) return method === "GET" ? "ListBuckets" : undefined;
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
      return query.has("uploadId") || query.has("partNumber") ? "UploadPart" : "PutObject";
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
