import { describe, expect, it } from "vitest";
import { isCrossSiteMutation } from "../../server/http/csrf.js";

const APP = "https://feed.example.com";
const headers = (h: Record<string, string>) => new Headers(h);

describe("cross-site mutation check", () => {
  it("lets reads through whatever their origin", () => {
    expect(isCrossSiteMutation("GET", headers({ "sec-fetch-site": "cross-site" }), APP)).toBe(false);
  });

  it("refuses mutations that Fetch Metadata marks cross-site or same-site", () => {
    for (const site of ["cross-site", "same-site"]) {
      expect(isCrossSiteMutation("POST", headers({ "sec-fetch-site": site }), APP)).toBe(true);
    }
    expect(isCrossSiteMutation("DELETE", headers({ "sec-fetch-site": "same-origin" }), APP)).toBe(false);
    expect(isCrossSiteMutation("PUT", headers({ "sec-fetch-site": "none" }), APP)).toBe(false);
  });

  it("falls back to the Origin header", () => {
    expect(isCrossSiteMutation("POST", headers({ origin: "https://evil.test" }), APP)).toBe(true);
    expect(isCrossSiteMutation("POST", headers({ origin: "null" }), APP)).toBe(true);
    expect(isCrossSiteMutation("POST", headers({ origin: APP }), APP)).toBe(false);
  });

  it("lets non-browser clients through (they carry no victim's cookies)", () => {
    expect(isCrossSiteMutation("POST", headers({}), APP)).toBe(false);
  });
});
