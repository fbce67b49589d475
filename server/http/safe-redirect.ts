/**
 * Where to send someone after sign-in: only a path on this site. Every place that takes a `returnTo`
 * (the sign-in page's query, its forms, the GitHub callback) goes through here.
 */

const ORIGIN = "http://return-to.invalid";
const MAX_LENGTH = 2048;
// Control, format (bidi and zero-width) and line separator characters: browsers drop or reinterpret
// some of them in URLs ("/\t/evil.example" becomes "//evil.example"), and none belongs in a path.
const UNSAFE_CHARACTERS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** Percent-decodes until nothing changes (at most a few rounds); undefined when an escape is malformed. */
function fullyDecoded(value: string): string | undefined {
  let current = value;
  for (let round = 0; round < 5; round += 1) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return undefined;
    }
    if (next === current) return current;
    current = next;
  }
  return undefined;
}

/** Whether `path` is a plain same-site path: one leading "/", then no "/" or "\" right after it. */
const isPlainPath = (path: string) =>
  path.startsWith("/") && !path.startsWith("//") && !path.startsWith("/\\") && !path.includes("\\");

/**
 * `value` when it is a same-origin path that starts with a single "/" (also after decoding), with no
 * control or format characters, backslashes or scheme; anything else gives `fallback`. The result is
 * the path as the URL parser normalises it (ASCII, safe in a Location header).
 */
export function safeReturnTo(value: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_LENGTH) return fallback;
  const decoded = fullyDecoded(value);
  if (decoded === undefined) return fallback;
  for (const form of [value, decoded]) {
    if (!isPlainPath(form) || UNSAFE_CHARACTERS.test(form)) return fallback;
  }
  let url: URL;
  try {
    url = new URL(value, ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== ORIGIN || url.username || url.password) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return isPlainPath(path) ? path : fallback;
}
