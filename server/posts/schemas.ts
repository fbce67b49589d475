/** The posts API's request body: strict, so a field the API does not take is refused, never ignored. */
import { z } from "zod";
import { idSchema } from "../db/ids.js";

export const createPostSchema = z.strictObject({
  text: z.string().trim().min(1, "Write something first.").max(2000, "Posts can be up to 2,000 characters."),
  uploadId: idSchema.optional(),
  width: z.number().int().positive().max(100_000).optional(),
  height: z.number().int().positive().max(100_000).optional(),
  durationSeconds: z
    .number()
    .positive()
    .max(7 * 24 * 3600)
    .optional(),
});

export type CreatePostInput = z.infer<typeof createPostSchema>;
