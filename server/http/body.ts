/**
 * Request bodies, read the same way by every route that takes one: the declared type is required, the
 * size is limited while reading (a body over the limit is never held whole), and JSON is parsed by a
 * strict zod schema, so unknown fields are refused by name instead of silently dropped.
 */
import type { z } from "zod";
import { apiError, zodFields } from "./responses.js";

export type BodyResult<T> = { ok: true; value: T } | { ok: false; response: Response };

const failed = (response: Response): BodyResult<never> => ({ ok: false, response });

/** Whether the Content-Type header names `mediaType` (parameters such as charset allowed). */
function hasMediaType(request: Request, mediaType: string): boolean {
  const declared = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  return declared === mediaType;
}

const unsupported = (mediaType: string) =>
  failed(apiError(415, "unsupported_media_type", `Send the body as ${mediaType} (with that Content-Type).`));

const tooLarge = (limitBytes: number) =>
  failed(apiError(413, "body_too_large", `The request body is larger than the ${limitBytes} bytes allowed.`));

/** The body as UTF-8 text, reading no more than `limitBytes` (413 as soon as it is over). */
async function readText(request: Request, limitBytes: number): Promise<BodyResult<string>> {
  const declared = Number(request.headers.get("content-length"));
  if (declared > limitBytes) return tooLarge(limitBytes);
  if (!request.body) return { ok: true, value: "" };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > limitBytes) {
      // Stop reading, but do not cancel: on Node that destroys the socket before the 413 can be sent.
      // The server discards what is left once the answer is out (bounded by its request timeout).
      reader.releaseLock();
      return tooLarge(limitBytes);
    }
    chunks.push(value);
  }
  try {
    return { ok: true, value: new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks)) };
  } catch {
    return failed(apiError(400, "invalid_body", "The request body is not valid UTF-8."));
  }
}

/** A 400 for a body the schema refused: unknown fields named first, then each invalid field. */
function refused(error: z.ZodError): Response {
  const unknown = error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys" ? issue.keys.map((key) => [...issue.path, key].join(".")) : [],
  );
  if (unknown.length === 0) return apiError(400, "invalid_input", "Some fields are not valid.", zodFields(error));
  // Entries, not assignments: a field may be called "__proto__".
  const fields = Object.fromEntries([
    ...unknown.map((name) => [name, ["is not a field this request takes"]]),
    ...Object.entries(zodFields({ issues: error.issues.filter((issue) => issue.code !== "unrecognized_keys") })),
  ]) as Record<string, string[]>;
  return apiError(
    400,
    "unknown_fields",
    `Unknown field${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}.`,
    fields,
  );
}

/** Reads a JSON body into `schema`: 415 without application/json, 413 over the limit, 400 when it does not fit. */
export async function readJsonBody<S extends z.ZodType>(
  request: Request,
  schema: S,
  limitBytes: number,
): Promise<BodyResult<z.output<S>>> {
  if (!hasMediaType(request, "application/json")) return unsupported("application/json");
  const text = await readText(request, limitBytes);
  if (!text.ok) return text;
  let value: unknown;
  try {
    value = JSON.parse(text.value);
  } catch {
    return failed(apiError(400, "invalid_json", "The request body is not valid JSON."));
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? { ok: true, value: parsed.data } : failed(refused(parsed.error));
}

/** Reads a form post (application/x-www-form-urlencoded, as the app's forms send) within the same limit. */
export async function readFormBody(request: Request, limitBytes: number): Promise<BodyResult<URLSearchParams>> {
  if (!hasMediaType(request, "application/x-www-form-urlencoded"))
    return unsupported("application/x-www-form-urlencoded");
  const text = await readText(request, limitBytes);
  return text.ok ? { ok: true, value: new URLSearchParams(text.value) } : text;
}
