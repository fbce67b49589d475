import { postTextProblem, type FeedPage, type FeedPost } from "../../app/shared/posts.js";
import type { Transaction } from "kysely";
import { keysetPage } from "../db/cursor.js";
import { isUuid } from "../db/ids.js";
import type { Database, Upload, UploadPurpose, User } from "../db/schema.js";
import { takeRateToken } from "../limits/rate-limit.js";
import { fail, ok, type Result } from "../result.js";
import type { Services } from "../services.js";
import { deleteObject, presignInlineGet } from "../storage/objects.js";
import { lockUpload } from "../uploads/repository.js";
import { gravatarFor } from "./avatars.js";
import * as repo from "./repository.js";
import type { CreatePostInput } from "./schemas.js";

export async function createPost(
  services: Services,
  user: User,
  input: CreatePostInput,
): Promise<Result<{ id: string }>> {
  const { uploadId, posterUploadId, width, height, durationSeconds } = input;
  const text = input.text.trim();
  const problem = postTextProblem(text, uploadId !== undefined);
  if (problem) return fail(400, "invalid_input", problem, { fields: { text: [problem] } });
  if (posterUploadId && !uploadId)
    return fail(400, "invalid_input", "A poster needs a video.", {
      fields: { posterUploadId: ["needs an uploadId (a video)"] },
    });
  return services.db.transaction().execute(async (trx) => {
    const upload = uploadId ? await postableUpload(trx, user, uploadId, "media") : undefined;
    if (upload && !upload.ok) return upload;
    const video = upload?.value.content_type.startsWith("video/") ?? false;
    if (posterUploadId && !video)
      return fail(400, "invalid_input", "Only a video has a poster.", {
        fields: { posterUploadId: ["is only for a video"] },
      });
    const poster = posterUploadId ? await postableUpload(trx, user, posterUploadId, "poster") : undefined;
    if (poster && !poster.ok) return poster;
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
        upload: upload.value,
        poster: poster?.value ?? null,
        width: width ?? null,
        height: height ?? null,
        durationSeconds: video ? (durationSeconds ?? null) : null,
      });
    }
    return ok({ id: postId });
  });
}

const FIELD = { media: "uploadId", poster: "posterUploadId" } as const;
const NOUN = { media: "attachment", poster: "poster" } as const;

/**
 * The caller's completed, unused upload for this purpose, locked until the post is in (a racing post
 * with the same upload waits, then finds it in use); anyone else's answers like an unknown one.
 */
async function postableUpload(
  trx: Transaction<Database>,
  user: User,
  id: string,
  purpose: UploadPurpose,
): Promise<Result<Upload>> {
  const upload = await lockUpload(trx, user.id, id);
  const noun = NOUN[purpose];
  if (!upload || upload.purpose !== purpose)
    return fail(400, "invalid_input", `This ${noun} does not exist.`, {
      fields: { [FIELD[purpose]]: ["does not exist"] },
    });
  if (upload.status === "uploading")
    return fail(409, "attachment_not_ready", `The ${noun} is still uploading; post it once it is done.`);
  if (upload.status !== "completed")
    return fail(409, "attachment_refused", `The ${noun} cannot be posted: it was ${upload.status}.`);
  if (await repo.isUploadPosted(trx, upload.id))
    return fail(409, "attachment_in_use", `This ${noun} is already part of a post.`);
  return ok(upload);
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
      author: {
        login: row.login,
        name: row.name,
        // GitHub's avatar (stored at sign-in); otherwise the page draws initials, unless Gravatar is on.
        avatarUrl: row.avatar_url ?? (services.config.feed.gravatar ? gravatarFor(row.login) : null),
      },
      mine: row.author_id === viewer.id,
      media:
        row.s3_key && row.content_type
          ? {
              contentType: row.content_type,
              // Served by S3, never from the app's origin: a safe type from the allowlist, shown inline.
              url: await presignInlineGet(services.storage, row.s3_key, row.content_type, expiresIn),
              posterUrl:
                row.poster_s3_key && row.poster_content_type
                  ? await presignInlineGet(services.storage, row.poster_s3_key, row.poster_content_type, expiresIn)
                  : null,
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

/** The author deletes a post: its rows go, and so do its objects in S3 (media and poster). Anyone else gets 404. */
export async function deletePost(services: Services, user: User, id: string): Promise<Result<{ id: string }>> {
  if (!isUuid(id)) return fail(404, "not_found", "This post does not exist.");
  const removed = await services.db.transaction().execute((trx) => repo.deletePostWithMedia(trx, user.id, id));
  if (!removed) return fail(404, "not_found", "This post does not exist.");
  for (const key of removed) await deleteObject(services.storage, key);
  return ok({ id });
}
