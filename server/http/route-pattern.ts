import type { ServerBuild } from "@remix-run/node";
import { matchRoutes, type AgnosticRouteObject } from "@remix-run/router";

/**
 * The route pattern a path matches in the Remix build ("/api/uploads/:id/parts"), matched by the same
 * router Remix uses; undefined when no route matches. Patterns keep log and metric labels few.
 */
export function routePatterns(routes: ServerBuild["routes"]): (pathname: string) => string | undefined {
  const all = Object.values(routes);
  const childrenOf = (parentId: string | undefined): AgnosticRouteObject[] =>
    all
      .filter((route) => route.parentId === parentId)
      .map((route) => {
        const children = childrenOf(route.id);
        return route.index
          ? { id: route.id, index: true, path: route.path, caseSensitive: route.caseSensitive }
          : {
              id: route.id,
              path: route.path,
              caseSensitive: route.caseSensitive,
              ...(children.length ? { children } : {}),
            };
      });
  const tree = childrenOf(undefined);
  return (pathname) => {
    const matches = matchRoutes(tree, pathname);
    if (!matches) return undefined;
    const segments = matches.map((match) => match.route.path?.replace(/^\/|\/$/g, "")).filter(Boolean);
    return `/${segments.join("/")}`;
  };
}
