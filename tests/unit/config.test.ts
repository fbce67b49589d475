import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "../../server/config/env.js";

function problems(env: Record<string, string>): string[] {
  try {
    parseEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("environment", () => {
  it("needs nothing in development and fills in every default", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      NODE_ENV: "development",
      PORT: 3000,
      DATA_DIR: ".data",
      S3_BUCKET: "feedup-media",
      S3_REGION: "us-east-1",
      S3_FORCE_PATH_STYLE: true,
      GITHUB_URL: "https://github.com",
      GITHUB_API_URL: "https://api.github.com",
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.S3_ENDPOINT).toBeUndefined();
  });

  it("names each bad variable at once", () => {
    const found = problems({
      PORT: "eighty",
      DATABASE_URL: "mysql://x",
      S3_ENDPOINT: "not a url",
      SESSION_SECRET: "short",
    });
    expect(found.map((p) => p.split(":")[0]).sort()).toEqual(["DATABASE_URL", "PORT", "S3_ENDPOINT", "SESSION_SECRET"]);
  });

  it("requires credentials with an external S3 endpoint", () => {
    expect(problems({ S3_ENDPOINT: "https://s3.example.com" }).map((p) => p.split(":")[0])).toEqual([
      "S3_ACCESS_KEY_ID",
      "S3_SECRET_ACCESS_KEY",
    ]);
  });

  it("requires both halves of a GitHub app", () => {
    expect(problems({ GITHUB_CLIENT_ID: "id" })).toEqual([expect.stringMatching(/^GITHUB_CLIENT_SECRET:/)]);
  });

  it("refuses to start production without GitHub, a session secret, a public URL, a database and S3", () => {
    const names = problems({ NODE_ENV: "production" }).map((p) => p.split(":")[0]);
    expect(names).toEqual(
      expect.arrayContaining(["SESSION_SECRET", "GITHUB_CLIENT_ID", "APP_URL", "DATABASE_URL", "S3_ENDPOINT"]),
    );
  });

  it("treats empty values as unset and parses booleans", () => {
    const env = parseEnv({ DATABASE_URL: "", S3_FORCE_PATH_STYLE: "false" });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.S3_FORCE_PATH_STYLE).toBe(false);
  });
});
