import { ListMultipartUploadsCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import type { TestApp } from "./services.js";

/**
 * Everything a refused request must leave as it was: the upload ledger, posts and media, and the
 * bucket (stored objects and multipart uploads in progress).
 */
export async function stateSnapshot(app: TestApp) {
  const Bucket = app.services.storage.bucket;
  const objects = await app.s3.client.send(new ListObjectsV2Command({ Bucket }));
  const multipart = await app.s3.client.send(new ListMultipartUploadsCommand({ Bucket }));
  return {
    uploads: await app.db.selectFrom("uploads").selectAll().orderBy("id").execute(),
    parts: await app.db.selectFrom("upload_parts").selectAll().orderBy("upload_id").orderBy("part_number").execute(),
    posts: await app.db.selectFrom("posts").selectAll().orderBy("id").execute(),
    media: await app.db.selectFrom("media").selectAll().orderBy("id").execute(),
    objects: (objects.Contents ?? []).map((o) => [o.Key, o.ETag]),
    multipartUploads: (multipart.Uploads ?? []).map((u) => [u.Key, u.UploadId]),
  };
}
