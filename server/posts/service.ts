import { createHash } from "node:crypto";
import { z } from "zod";
import { postTextProblem, type FeedPage, type FeedPost } from "../../app/shared/posts.js";
import type { Executor } from "../db/connection.js";
import { isUuid } from "../db/ids.js";
import type { Upload, UploadPurpose, User } from "../db/schema.js";
import { zodFields } from "../http/responses.js";
import { fail, ok, type Result } from "../result.js";
import type { Services } from "../services.js";
import { deleteObject, presignInlineGet } from "../storage/objects.js";
import { findUpload } from "../uploads/repository.js";
import * as repo from "./repository.js";

const createPostSchema = z
  .object({
    // The length rule (code points, after trimming) and "text or media" are the page's rules too.
    text: z.string().max(100_000, "is far too long").default(""),
    uploadId: z.string().uuid("is not an upload id").optional(),
    posterUploadId: z.string().uuid("is not an upload id").optional(),
    width: z.number().int().positive().max(100_000).optional(),
    height: z.number().int().positive().max(100_000).optional(),
    durationSeconds: z
      .number()
      .positive()
      .max(7 * 24 * 3600)
      .optional(),
  })
  .transform((post) => ({ ...post, text: post.text.trim() }))
  .superRefine((post, ctx) => {
    const problem = postTextProblem(post.text, post.uploadId !== undefined);
    if (problem) ctx.addIssue({ code: "custom", path: ["text"], message: problem });
    if (post.posterUploadId && !post.uploadId)
      ctx.addIssue({ code: "custom", path: ["posterUploadId"], message: "needs an uploadId (a video)" });
  });

/** People without a GitHub avatar may get a Gravatar identicon, when the operator turned it on. */
function gravatarFor(login: string): string {
  return `https://www.gravatar.com/avatar/${createHash("md5").update(login.trim().toLowerCase()).digest("hex")}?d=identicon&s=80`;
}

const encodeCursor = (c: repo.FeedPosition) => Buffer.from(JSON.stringify([c.createdAt, c.id])).toString("base64url");

function decodeCursor(text: string): repo.FeedPosition | undefined {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as [unknown, unknown];
    if (typeof createdAt === "string" && !Number.isNaN(Date.parse(createdAt)) && typeof id === "string" && isUuid(id))
      return { createdAt, id };
  } catch {
    // fall through
  }
  return undefined;
}

export async function createPost(services: Services, user: User, input: unknown): Promise<Result<{ id: string }>> {
  const parsed = createPostSchema.safeParse(input);
  if (!parsed.success) {
    const fields = zodFields(parsed.error);
    return fail(400, "invalid_input", fields.text?.[0] ?? "Some fields are not valid.", { fields });
  }
  const { text, uploadId, posterUploadId, width, height, durationSeconds } = parsed.data;
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

/** The caller's completed, unused upload for this purpose; anyone else's answers like an unknown one. */
async function postableUpload(trx: Executor, user: User, id: string, purpose: UploadPurpose): Promise<Result<Upload>> {
  const upload = await findUpload(trx, user.id, id);
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
  const cursor = cursorText ? decodeCursor(cursorText) : undefined;
  if (cursorText && !cursor)
    return fail(400, "invalid_input", "The cursor is not valid.", { fields: { cursor: ["is not valid"] } });
  const size = services.config.feed.pageSize;
  const rows = await repo.listFeed(services.db, size + 1, cursor);
  const page = rows.slice(0, size);
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
  const last = page.at(-1);
  return ok({
    posts,
    nextCursor:
      rows.length > size && last
        ? encodeCursor({ createdAt: new Date(last.created_at).toISOString(), id: last.id })
        : null,
  });
}

/** The author deletes a post: its rows go, and so do its objects in S3 (media and poster). Anyone else gets 404. */
export async function deletePost(services: Services, user: User, id: string): Promise<Result<{ id: string }>> {
  if (!isUuid(id)) return fail(404, "not_found", "This post does not exist.");
  const removed = await services.db.transaction().execute((trx) => repo.deletePostWithMedia(trx, user.id, id));
  if (!removed) return fail(404, "not_found", "This post does not exist.");
  for (const key of removed) await deleteObject(services.storage, key);
  return ok({ id });
}
