import type { ServerBuild } from "@remix-run/node";
import { describe, expect, it } from "vitest";
import { routePatterns } from "../../server/http/route-pattern.js";

const route = (id: string, path: string | undefined, extra: Record<string, unknown> = {}) => ({
  [id]: { id, path, parentId: id === "root" ? undefined : "root", module: {}, ...extra },
});

// The shape of this app's flat routes in a Remix build.
const routes = {
  ...route("root", ""),
  ...route("routes/_index", undefined, { index: true }),
  ...route("routes/healthz", "healthz"),
  ...route("routes/api.uploads", "api/uploads"),
  ...route("routes/api.uploads.$id", "api/uploads/:id"),
  ...route("routes/api.uploads.$id.parts", "api/uploads/:id/parts"),
  ...route("routes/api.uploads.$id.parts.$partNumber", "api/uploads/:id/parts/:partNumber"),
} as unknown as ServerBuild["routes"];

describe("route patterns for logs and metrics", () => {
  const patternOf = routePatterns(routes);

  it("names the route a path matches by its pattern, not the ids in it", () => {
    expect(patternOf("/")).toBe("/");
    expect(patternOf("/healthz")).toBe("/healthz");
    expect(patternOf("/api/uploads")).toBe("/api/uploads");
    expect(patternOf("/api/uploads/0b4f2c9e")).toBe("/api/uploads/:id");
    expect(patternOf("/api/uploads/0b4f2c9e/parts")).toBe("/api/uploads/:id/parts");
    expect(patternOf("/api/uploads/0b4f2c9e/parts/17")).toBe("/api/uploads/:id/parts/:partNumber");
  });

  it("matches nothing for a path no route takes", () => {
    expect(patternOf("/wp-login.php")).toBeUndefined();
    expect(patternOf("/api/uploads/a/b/c/d")).toBeUndefined();
  });
});
