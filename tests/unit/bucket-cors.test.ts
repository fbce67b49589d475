import type { CORSRule } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { appCorsRule, corsProblem } from "../../server/storage/bucket.js";

const APP = "https://feed.example.com";
const rule = (overrides: Partial<CORSRule> = {}): CORSRule => ({
  AllowedOrigins: [APP],
  AllowedMethods: ["PUT"],
  AllowedHeaders: ["x-amz-checksum-sha256"],
  ExposeHeaders: ["ETag"],
  ...overrides,
});

describe("the bucket's CORS rules, as S3 evaluates them for a part upload from the app", () => {
  it("accepts the rule the app itself adds", () => {
    expect(corsProblem([appCorsRule(APP)], APP)).toBeUndefined();
  });

  it("accepts wildcards where S3 allows them, and header names in any case", () => {
    expect(
      corsProblem(
        [rule({ AllowedOrigins: ["https://*.example.com"], AllowedHeaders: ["X-Amz-*"], ExposeHeaders: ["etag"] })],
        APP,
      ),
    ).toBeUndefined();
    expect(corsProblem([rule({ AllowedOrigins: ["*"], AllowedHeaders: ["*"] })], APP)).toBeUndefined();
  });

  it("refuses no rules, another origin, no PUT, and a missing checksum header", () => {
    expect(corsProblem([], APP)).toMatch(/no CORS rule lets https:\/\/feed\.example\.com send PUT/);
    expect(corsProblem([rule({ AllowedOrigins: ["https://other.example.com"] })], APP)).toMatch(/no CORS rule/);
    expect(corsProblem([rule({ AllowedMethods: ["GET", "POST"] })], APP)).toMatch(/no CORS rule/);
    expect(corsProblem([rule({ AllowedHeaders: ["content-type"] })], APP)).toMatch(/no CORS rule/);
  });

  it("needs the ETag exposed by the first rule that matches, since S3 answers with that one alone", () => {
    expect(corsProblem([rule({ ExposeHeaders: [] })], APP)).toMatch(/does not expose the ETag header/);
    expect(corsProblem([rule({ ExposeHeaders: ["x-amz-request-id"] }), rule()], APP)).toMatch(/does not expose/);
    expect(corsProblem([rule({ AllowedMethods: ["GET"], ExposeHeaders: [] }), rule()], APP)).toBeUndefined();
  });
});
