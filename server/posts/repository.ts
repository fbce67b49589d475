import type { Transaction } from "kysely";
import type { Executor } from "../db/connection.js";
import { cursorTimestamp, olderThan, type Position } from "../db/cursor.js";
import type { Database } from "../db/schema.js";

/** Up to `limit` posts after `after`, newest first, each with its author and its first media (if any). */
export async function listFeed(db: Executor, limit: number, after?: Position) {
  let query = db
    .selectFrom("posts")
    .innerJoin("users", "users.id", "posts.author_id")
    .leftJoin("media", (join) => join.onRef("media.post_id", "=", "posts.id").on("media.position", "=", 0))
    .leftJoin("uploads as poster", "poster.id", "media.poster_upload_id")
    .select([
      "posts.id",
      "posts.text",
      "posts.created_at",
      "posts.author_id",
      "users.login",
      "users.name",
      "users.avatar_url",
      "media.s3_key",
      "media.content_type",
      "media.size",
      "media.width",
      "media.height",
      "media.duration_seconds",
      "media.poster_s3_key",
      "poster.content_type as poster_content_type",
      cursorTimestamp("posts.created_at").as("cursor_at"),
    ])
    .orderBy("posts.created_at", "desc")
    .orderBy("posts.id", "desc")
    .limit(limit);
  if (after) query = query.where(olderThan("posts.created_at", "posts.id", after));
  return query.execute();
}

/** Whether a post already shows this upload, as its media or its poster (an upload belongs to one post at most). */
export async function isUploadPosted(db: Executor, uploadId: string): Promise<boolean> {
  const row = await db
    .selectFrom("media")
    .select("id")
    .where((eb) => eb.or([eb("upload_id", "=", uploadId), eb("poster_upload_id", "=", uploadId)]))
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertPost(db: Executor, post: { authorId: string; text: string }): Promise<string> {
  const row = await db
    .insertInto("posts")
    .values({ author_id: post.authorId, text: post.text })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertMedia(
  db: Executor,
  media: {
    postId: string;
    upload: { id: string; s3_key: string; content_type: string; size: number };
    poster: { id: string; s3_key: string } | null;
    width: number | null;
    height: number | null;
    durationSeconds: number | null;
  },
): Promise<void> {
  await db
    .insertInto("media")
    .values({
      post_id: media.postId,
      upload_id: media.upload.id,
      s3_key: media.upload.s3_key,
      content_type: media.upload.content_type,
      size: media.upload.size,
      width: media.width,
      height: media.height,
      duration_seconds: media.durationSeconds,
      poster_upload_id: media.poster?.id ?? null,
      poster_s3_key: media.poster?.s3_key ?? null,
    })
    .execute();
}

/**
 * Deletes the author's post, its media rows and the uploads they came from (posters included); returns
 * the objects left to delete from S3, or undefined when the author has no such post. The post's row
 * stays locked until the transaction ends, so two deletes of one post take turns.
 */
export async function deletePostWithMedia(
  trx: Transaction<Database>,
  authorId: string,
  postId: string,
): Promise<string[] | undefined> {
  const post = await trx
    .selectFrom("posts")
    .select("id")
    .where("id", "=", postId)
    .where("author_id", "=", authorId)
    .forUpdate()
    .executeTakeFirst();
  if (!post) return undefined;
  const media = await trx
    .selectFrom("media")
    .select(["upload_id", "s3_key", "poster_upload_id", "poster_s3_key"])
    .where("post_id", "=", postId)
    .execute();
  await trx.deleteFrom("posts").where("id", "=", postId).execute();
  const uploadIds = media.flatMap((m) => (m.poster_upload_id ? [m.upload_id, m.poster_upload_id] : [m.upload_id]));
  if (uploadIds.length > 0)
    await trx.deleteFrom("uploads").where("id", "in", uploadIds).where("user_id", "=", authorId).execute();
  return media.flatMap((m) => (m.poster_s3_key ? [m.s3_key, m.poster_s3_key] : [m.s3_key]));
}
