import { describe, expect, it } from "vitest";
import { safeReturnTo } from "../../server/http/safe-redirect.js";

/** Known open-redirect payloads (tabs, newlines, "//", "/\", encoded slashes and schemes, userinfo, ...). */
const PAYLOADS = [
  "/\t/evil.example",
  "/%09/evil.example",
  "/\n/evil.example",
  "/%0A/evil.example",
  "/%0D%0A/evil.example",
  "/\r\n/evil.example",
  "/%00/evil.example",
  "//evil.example",
  "//evil.example/%2F..",
  "///evil.example",
  "////evil.example",
  "/\\evil.example",
  "/\\/evil.example",
  "\\\\evil.example",
  "/%5Cevil.example",
  "/%5C/evil.example",
  "%2F%2Fevil.example",
  "/%2F/evil.example",
  "/%2f%2fevil.example",
  "/%252F%252Fevil.example",
  "/.//evil.example",
  "/..//evil.example",
  "/./\\evil.example",
  "https://evil.example",
  "http:evil.example",
  "//https://evil.example",
  "https:/evil.example",
  "javascript:alert(1)",
  "JaVaScRiPt:alert(1)",
  "%6Aavascript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "//user@evil.example",
  "//app.test@evil.example",
  "https://app.test@evil.example",
  "/\u202E/evil.example",
  "/%E2%80%AE/evil.example",
  "/\u2028/evil.example",
  "/%",
  "/%E0%A4%A",
  " //evil.example",
  "evil.example",
  "",
  `/${"a".repeat(3000)}`,
];

describe("safeReturnTo", () => {
  it.each(PAYLOADS.map((payload) => [JSON.stringify(payload).slice(0, 60), payload]))(
    "sends %s to /",
    (_name, payload) => {
      expect(safeReturnTo(payload)).toBe("/");
    },
  );

  it("falls back for anything that is not a string", () => {
    for (const value of [null, undefined]) expect(safeReturnTo(value)).toBe("/");
    expect(safeReturnTo(new File([], "x"))).toBe("/");
    expect(safeReturnTo("//evil.example", "/login")).toBe("/login");
  });

  it("keeps same-site paths, queries and fragments", () => {
    expect(safeReturnTo("/")).toBe("/");
    expect(safeReturnTo("/feed?x=1")).toBe("/feed?x=1");
    expect(safeReturnTo("/?tab=videos#top")).toBe("/?tab=videos#top");
    expect(safeReturnTo("/search?q=a%20b")).toBe("/search?q=a%20b");
    expect(safeReturnTo("/@someone")).toBe("/@someone");
  });

  it("returns the normalised path, which is always safe in a Location header", () => {
    expect(safeReturnTo("/café?q=ü")).toBe("/caf%C3%A9?q=%C3%BC");
    expect(safeReturnTo("/a/../b")).toBe("/b");
    for (const payload of PAYLOADS) expect(() => new Headers({ Location: safeReturnTo(payload) })).not.toThrow();
  });
});
