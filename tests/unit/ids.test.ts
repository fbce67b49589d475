import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isUuid } from "../../server/db/ids.js";

describe("isUuid", () => {
  it("accepts uuids in either case", () => {
    const id = randomUUID();
    expect(isUuid(id)).toBe(true);
    expect(isUuid(id.toUpperCase())).toBe(true);
  });

  it("refuses anything PostgreSQL would not take as a uuid, even at 36 characters", () => {
    for (const id of [
      "",
      "not-a-uuid",
      "-".repeat(36),
      "0b4b7c4e-8f1e-4b55-9a77-3c1b8f0e2d1",
      "0b4b7c4e-8f1e-4b55-9a77-3c1b8f0e2d11-",
      "0b4b7c4e8f1e-4b55-9a77-3c1b8f0e2d11-a",
      "0b4b7c4g-8f1e-4b55-9a77-3c1b8f0e2d11",
      "0b4b7c4e-8f1e-4b55-9a77-3c1b8f0e2d11\n",
    ]) {
      expect(isUuid(id), JSON.stringify(id)).toBe(false);
    }
  });
});
