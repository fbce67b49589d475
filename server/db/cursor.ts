/**
 * Keyset paging for lists ordered newest first by (created_at, id): the feed and the unfinished
 * uploads. The cursor names the last row shown, to the microsecond, so rows created within the same
 * millisecond are neither skipped nor repeated. Every cursor is parsed by the one schema below.
 */
import { sql, type RawBuilder, type SqlBool } from "kysely";
import { z } from "zod";
import { fail, ok, type Result } from "../result.js";
import { idSchema } from "./ids.js";

export interface Position {
  /** UTC, to the microsecond: 2026-11-29T10:00:00.123456Z. */
  createdAt: string;
  id: string;
}

const timestamp = z
  .string()
  .regex(/^[12]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
  // A real date (no 30 February), which PostgreSQL takes as it is.
  .refine((text) => {
    const time = Date.parse(text);
    return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 19) === text.slice(0, 19);
  });

const positionSchema = z.tuple([timestamp, idSchema]).transform(([createdAt, id]): Position => ({ createdAt, id }));

const cursorSchema = z
  .string()
  .max(200)
  .transform((text, ctx) => {
    try {
      return JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "is not a cursor" });
      return z.NEVER;
    }
  })
  .pipe(positionSchema);

export const encodeCursor = (position: Position): string =>
  Buffer.from(JSON.stringify([position.createdAt, position.id])).toString("base64url");

/** The position a `cursor` query parameter names: undefined for the first page, 400 when it is not a cursor. */
export function parseCursor(text: string | null | undefined): Result<Position | undefined> {
  if (text === null || text === undefined || text === "") return ok(undefined);
  const parsed = cursorSchema.safeParse(text);
  return parsed.success
    ? ok(parsed.data)
    : fail(400, "invalid_input", "The cursor is not valid.", { fields: { cursor: ["is not valid"] } });
}

/** A created_at column as a cursor holds it: UTC text to the microsecond. */
export const cursorTimestamp = (column: string): RawBuilder<string> =>
  sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Rows after `position` in newest-first order (a row comparison, so the (created_at, id) index serves it). */
export const olderThan = (createdAtColumn: string, idColumn: string, position: Position): RawBuilder<SqlBool> =>
  sql<SqlBool>`(${sql.ref(createdAtColumn)}, ${sql.ref(idColumn)}) < (${position.createdAt}::timestamptz, ${position.id}::uuid)`;

/** One page from rows fetched with `size + 1`: the rows to show, and the cursor after them when more follow. */
export function pageOf<T extends { id: string; cursor_at: string }>(
  rows: T[],
  size: number,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, size);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > size && last ? encodeCursor({ createdAt: last.cursor_at, id: last.id }) : null,
  };
}

/** A page of a keyset list: parses the cursor (400 when it is not one), fetches `size + 1` rows, cuts the page. */
export async function keysetPage<T extends { id: string; cursor_at: string }>(
  cursorText: string | null | undefined,
  size: number,
  fetchRows: (limit: number, after: Position | undefined) => Promise<T[]>,
): Promise<Result<{ items: T[]; nextCursor: string | null }>> {
  const cursor = parseCursor(cursorText);
  if (!cursor.ok) return cursor;
  return ok(pageOf(await fetchRows(size + 1, cursor.value), size));
}
