/** The upload API's failures that more than one operation answers with. */
import type { Upload } from "../db/schema.js";
import { fail } from "../result.js";

export const notFound = () => fail(404, "not_found", "This upload does not exist.");

export const notUploading = (upload: Upload) =>
  fail(409, "conflict", `This upload is ${upload.status}; it can no longer take parts.`, {
    details: { status: upload.status },
  });

export const goneFromStorage = () => fail(409, "conflict", "This upload no longer exists in storage.");
