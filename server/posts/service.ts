import { createHash } from "node:crypto";
import type { FeedPage, FeedPost } from "../../app/shared/posts.js";
import { keysetPage } from "../db/cursor.js";
import { isUuid } from "../db/ids.js";
import type { User } from "../db/schema.js";
import { takeRateToken } from "../limits/rate-limit.js";
import { fail, ok, type Result } from "../result.js";
import type { Services } from "../services.js";
import { deleteObject, presignInlineGet } from "../storage/objects.js";
import { lockUpload } from "../uploads/repository.js";
import * as repo from "./repository.js";
import type { CreatePostInput } from "./schemas.js";

/** People without a GitHub avatar get a Gravatar identicon (the page falls back to initials when it cannot load). */
function gravatarFor(login: string): string {
  return `https://www.gravatar.com/avatar/${createHash("md5").update(login.trim().toLowerCase()).digest("hex")}?d=identicon&s=80`;
}

export async function createPost(
  services: Services,
  user: User,
  input: CreatePostInput,
): Promise<Result<{ id: string }>> {
  const { text, uploadId, width, height, durationSeconds } = input;
  return services.db.transaction().execute(async (trx) => {
    let upload;
    if (uploadId) {
      // Locked until the post is in: a racing post with the same upload waits, then finds it in use.
      upload = await lockUpload(trx, user.id, uploadId);
      // Someone else's upload answers like an unknown one.
      if (!upload)
        return fail(400, "invalid_input", "This attachment does not exist.", {
          fields: { uploadId: ["does not exist"] },
        });
      if (upload.status === "uploading") {
        return fail(409, "attachment_not_ready", "The attachment is still uploading; post it once it is done.");
      }
      if (upload.status !== "completed")
        return fail(409, "attachment_refused", `The attachment cannot be posted: it was ${upload.status}.`);
      if (await repo.isUploadPosted(trx, upload.id))
        return fail(409, "attachment_in_use", "This attachment is already part of a post.");
    }
    const token = await takeRateToken(
      trx,
      `posts:${user.id}`,
      services.config.posts.createRate,
      services.now(),
      "posts",
    );
    if (!token.ok) return token;
    const postId = await repo.insertPost(trx, { authorId: user.id, text });
    if (upload) {
      await repo.insertMedia(trx, {
        postId,
        upload,
        width: width ?? null,
        height: height ?? null,
        durationSeconds: upload.content_type.startsWith("video/") ? (durationSeconds ?? null) : null,
      });
    }
    return ok({ id: postId });
  });
}

/** One page of the feed, newest first; `cursor` continues after the last post of the previous page. */
export async function feedPage(
  services: Services,
  viewer: User,
  cursorText?: string | null,
): Promise<Result<FeedPage>> {
  const rows = await keysetPage(cursorText, services.config.feed.pageSize, (limit, after) =>
    repo.listFeed(services.db, limit, after),
  );
  if (!rows.ok) return rows;
  const { items: page, nextCursor } = rows.value;
  const expiresIn = services.config.feed.mediaUrlTtlSeconds;
  const posts = await Promise.all(
    page.map(async (row): Promise<FeedPost> => ({
      id: row.id,
      text: row.text,
      createdAt: new Date(row.created_at).toISOString(),
      author: { login: row.login, name: row.name, avatarUrl: row.avatar_url ?? gravatarFor(row.login) },
      mine: row.author_id === viewer.id,
      media:
        row.s3_key && row.content_type
          ? {
              contentType: row.content_type,
              // Served by S3, never from the app's origin: a safe type from the allowlist, shown inline.
              url: await presignInlineGet(services.storage, row.s3_key, row.content_type, expiresIn),
              size: Number(row.size),
              width: row.width,
              height: row.height,
              durationSeconds: row.duration_seconds,
            }
          : null,
    })),
  );
  return ok({ posts, nextCursor });
}

/** The author deletes a post: its rows go, and so does its object in S3. Anyone else gets 404. */
export async function deletePost(services: Services, user: User, id: string): Promise<Result<{ id: string }>> {
  if (!isUuid(id)) return fail(404, "not_found", "This post does not exist.");
  const removed = await services.db.transaction().execute((trx) => repo.deletePostWithMedia(trx, user.id, id));
  if (!removed) return fail(404, "not_found", "This post does not exist.");
  for (const { s3_key } of removed) {
    await deleteObject(services.storage, s3_key);
  }
  return ok({ id });
}
