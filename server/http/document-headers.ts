/**
 * Headers for every HTML page (entry.server applies them): a Content-Security-Policy whose scripts need
 * the page's nonce and whose media, image and connection sources are the app, the bucket browsers use
 * and the configured image origins; and no caching, since pages are per person and carry presigned
 * URLs. Every response also gets nosniff, Referrer-Policy and X-Frame-Options from the HTTP app.
 */
import { randomBytes } from "node:crypto";
import type { HeadersFunction } from "@remix-run/node";
import type { AppConfig } from "../config/app-config.js";
import { GRAVATAR_ORIGIN } from "../posts/avatars.js";
import { browserBucketUrl } from "../storage/s3.js";

/** A fresh nonce for one page: its inline and module scripts carry it, and nothing else runs. */
export const createNonce = () => randomBytes(18).toString("base64");

/** The policy for one page, as a header value. */
export function contentSecurityPolicy(
  config: Pick<AppConfig, "s3" | "github" | "contentSecurity" | "feed">,
  nonce: string,
) {
  const bucket = browserBucketUrl(config.s3).origin;
  // Gravatar only when the operator turned it on (AVATAR_GRAVATAR): otherwise no page may ask it.
  const avatarSources = config.feed.gravatar ? [GRAVATAR_ORIGIN] : [];
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    // 'wasm-unsafe-eval': the uploader's CRC is a WebAssembly module (it compiles bytes, it evaluates no text).
    "script-src": ["'self'", `'nonce-${nonce}'`, "'wasm-unsafe-eval'"],
    // The uploader's checksum worker runs from a blob: URL made by the page's own script.
    "worker-src": ["'self'", "blob:"],
    "style-src": ["'self'"],
    // React writes style attributes (an avatar's size, a progress bar's scale); attributes cannot run code.
    "style-src-attr": ["'unsafe-inline'"],
    // blob: the composer's preview of the chosen file, and the probe's detached <video>/<img>; the
    // bucket: media and poster frames through presigned URLs.
    "img-src": ["'self'", "blob:", bucket, ...config.contentSecurity.imgSources, ...avatarSources],
    "media-src": ["'self'", "blob:", bucket],
    // Parts go straight to the bucket.
    "connect-src": ["'self'", bucket],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    // Signing in with GitHub posts here and is redirected there.
    "form-action": ["'self'", ...(config.github ? [new URL(config.github.url).origin] : [])],
    "frame-ancestors": ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${[...new Set(sources)].join(" ")}`)
    .join("; ");
}

/** Sets the page headers on `headers`; a Cache-Control a route chose is kept. */
export function applyDocumentHeaders(headers: Headers, config: AppConfig, nonce: string): void {
  headers.set("Content-Security-Policy", contentSecurityPolicy(config, nonce));
  if (!headers.has("Cache-Control")) headers.set("Cache-Control", "private, no-store");
}

/**
 * A page route's `headers`: Remix sends a document only the headers its routes' `headers` functions
 * return, so without this the loader's Cache-Control never reaches the page.
 */
export const loaderCacheControl: HeadersFunction = ({ loaderHeaders }) => {
  const headers = new Headers();
  const value = loaderHeaders.get("Cache-Control");
  if (value) headers.set("Cache-Control", value);
  return headers;
};
