import { describe, expect, it } from "vitest";
import { buildAppConfig } from "../../server/config/app-config.js";
import { parseEnv } from "../../server/config/env.js";
import { contentSecurityPolicy } from "../../server/http/document-headers.js";

const configFor = (env: Record<string, string>, s3Endpoint?: string) =>
  buildAppConfig(parseEnv(env), {
    dataDir: "/tmp",
    databaseUrl: "postgres://x",
    sessionSecret: "s".repeat(32),
    appUrl: "https://feed.example.com",
    s3Endpoint,
  });

const directives = (policy: string) =>
  Object.fromEntries(policy.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1)]));

const S3 = { S3_ENDPOINT: "https://s3.example.com", S3_ACCESS_KEY_ID: "k", S3_SECRET_ACCESS_KEY: "s" };

describe("Content-Security-Policy", () => {
  it("runs only the app's scripts and this page's nonce, frames nothing, is framed by nothing", () => {
    const policy = directives(contentSecurityPolicy(configFor(S3), "abc123"));
    // WebAssembly compiles (the uploader's CRC), but no text is evaluated: no 'unsafe-eval'.
    expect(policy["script-src"]).toEqual(["'self'", "'nonce-abc123'", "'wasm-unsafe-eval'"]);
    expect(policy["worker-src"]).toEqual(["'self'", "blob:"]);
    expect(policy["object-src"]).toEqual(["'none'"]);
    expect(policy["base-uri"]).toEqual(["'none'"]);
    expect(policy["frame-ancestors"]).toEqual(["'none'"]);
    expect(policy["default-src"]).toEqual(["'self'"]);
  });

  it("lets media, images and uploads reach the bucket browsers use, path-style or virtual-hosted", () => {
    const pathStyle = directives(
      contentSecurityPolicy(configFor({ ...S3, S3_PUBLIC_ENDPOINT: "https://cdn.example.com:8443/s3/" }), "n"),
    );
    expect(pathStyle["connect-src"]).toEqual(["'self'", "https://cdn.example.com:8443"]);
    expect(pathStyle["media-src"]).toEqual(["'self'", "blob:", "https://cdn.example.com:8443"]);
    const virtual = directives(contentSecurityPolicy(configFor({ ...S3, S3_FORCE_PATH_STYLE: "false" }), "n"));
    expect(virtual["connect-src"]).toEqual(["'self'", "https://feedup-media.s3.example.com"]);
    const embedded = directives(contentSecurityPolicy(configFor({}, "http://127.0.0.1:9123"), "n"));
    expect(embedded["connect-src"]).toEqual(["'self'", "http://127.0.0.1:9123"]);
  });

  it("takes image origins from CSP_IMG_SOURCES, GitHub's avatars by default, Gravatar's only when AVATAR_GRAVATAR is on", () => {
    expect(directives(contentSecurityPolicy(configFor(S3), "n"))["img-src"]).toEqual([
      "'self'",
      "blob:",
      "https://s3.example.com",
      "https://avatars.githubusercontent.com",
    ]);
    expect(directives(contentSecurityPolicy(configFor({ ...S3, AVATAR_GRAVATAR: "true" }), "n"))["img-src"]).toEqual([
      "'self'",
      "blob:",
      "https://s3.example.com",
      "https://avatars.githubusercontent.com",
      "https://www.gravatar.com",
    ]);
    const extended = configFor({ ...S3, CSP_IMG_SOURCES: "https://images.example.net/, https://ghe.example.com:8443" });
    expect(directives(contentSecurityPolicy(extended, "n"))["img-src"]).toEqual([
      "'self'",
      "blob:",
      "https://s3.example.com",
      "https://images.example.net",
      "https://ghe.example.com:8443",
    ]);
    expect(() => parseEnv({ CSP_IMG_SOURCES: "https://images.example.net/avatars" })).toThrow(/CSP_IMG_SOURCES/);
    expect(() => parseEnv({ CSP_IMG_SOURCES: "javascript:alert(1)" })).toThrow(/CSP_IMG_SOURCES/);
  });

  it("lets the sign-in form go to the configured GitHub", () => {
    const github = configFor({
      ...S3,
      GITHUB_CLIENT_ID: "i",
      GITHUB_CLIENT_SECRET: "s",
      GITHUB_URL: "https://ghe.example.com/",
    });
    expect(directives(contentSecurityPolicy(github, "n"))["form-action"]).toEqual([
      "'self'",
      "https://ghe.example.com",
    ]);
    expect(directives(contentSecurityPolicy(configFor(S3), "n"))["form-action"]).toEqual(["'self'"]);
  });
});
