/** The posts API's request body: strict, so a field the API does not take is refused, never ignored. */
import { z } from "zod";
import { idSchema } from "../db/ids.js";

export const createPostSchema = z.strictObject({
  // The length rule (code points, after trimming) and "text or media" are the page's rules too
  // (app/shared/posts.ts); the service applies them, so their messages are the API's message.
  text: z.string().max(100_000, "is far too long").default(""),
  uploadId: idSchema.optional(),
  /** A video's poster frame: an upload of purpose 'poster', tied to the video's media row. */
  posterUploadId: idSchema.optional(),
  width: z.number().int().positive().max(100_000).optional(),
  height: z.number().int().positive().max(100_000).optional(),
  durationSeconds: z
    .number()
    .positive()
    .max(7 * 24 * 3600)
    .optional(),
});

export type CreatePostInput = z.infer<typeof createPostSchema>;
