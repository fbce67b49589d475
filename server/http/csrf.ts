const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses state-changing requests that a browser sent from another site: Fetch Metadata first,
 * the Origin header as the fallback for browsers without it. Requests with neither come from
 * non-browser clients, which carry no victim's cookies.
 */
export function isCrossSiteMutation(
  method: string,
  headers: { get(name: string): string | null },
  appOrigin: string,
): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return false;
  const site = headers.get("sec-fetch-site");
  if (site) return site !== "same-origin" && site !== "none";
  const origin = headers.get("origin");
  if (origin) return origin !== appOrigin;
  return false;
}
