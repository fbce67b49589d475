import { describe, expect, it } from "vitest";
import { encodeCursor, pageOf, parseCursor } from "../../server/db/cursor.js";

const id = "0b4b7c4e-8f1e-4b55-9a77-3c1b8f0e2d11";

describe("keyset cursors", () => {
  it("round-trips a position to the microsecond", () => {
    const position = { createdAt: "2026-11-29T10:00:00.123456Z", id };
    expect(parseCursor(encodeCursor(position))).toEqual({ ok: true, value: position });
  });

  it("treats a missing cursor as the first page", () => {
    for (const missing of [null, undefined, ""]) expect(parseCursor(missing)).toEqual({ ok: true, value: undefined });
  });

  it("refuses a cursor whose time PostgreSQL would not take", () => {
    for (const createdAt of ["2026-11-29T10:00:00.123Z", "2026-13-01T00:00:00.000000Z", "0000-01-01T00:00:00.000000Z"])
      expect(parseCursor(encodeCursor({ createdAt, id })).ok, createdAt).toBe(false);
  });

  it("cuts a page from size + 1 rows and points after its last row", () => {
    const rows = [1, 2, 3].map((n) => ({ id: `${id.slice(0, -1)}${n}`, cursor_at: `2026-11-29T10:00:0${n}.000000Z` }));
    const page = pageOf(rows, 2);
    expect(page.items).toEqual(rows.slice(0, 2));
    expect(parseCursor(page.nextCursor)).toEqual({
      ok: true,
      value: { createdAt: rows[1]!.cursor_at, id: rows[1]!.id },
    });
    expect(pageOf(rows, 3).nextCursor).toBeNull();
  });
});
