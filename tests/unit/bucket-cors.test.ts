import type { CORSRule } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { PART_CHECKSUM_ALGORITHMS } from "~/shared/checksum-mode";
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
  it("accepts the rule the app itself adds, in every checksum mode", () => {
    for (const algorithm of PART_CHECKSUM_ALGORITHMS)
      expect(corsProblem([appCorsRule(APP)], APP, algorithm)).toBeUndefined();
  });

  it("asks for the checksum header of the uploads' mode", () => {
    expect(corsProblem([rule()], APP, "CRC64NVME")).toBe(
      "no CORS rule lets https://feed.example.com send PUT with the header x-amz-checksum-crc64nvme",
    );
    expect(corsProblem([rule({ AllowedHeaders: ["x-amz-checksum-crc64nvme"] })], APP, "CRC64NVME")).toBeUndefined();
  });

  it("accepts wildcards where S3 allows them, and header names in any case", () => {
    expect(
      corsProblem(
        [rule({ AllowedOrigins: ["https://*.example.com"], AllowedHeaders: ["X-Amz-*"], ExposeHeaders: ["etag"] })],
        APP,
        "SHA256",
      ),
    ).toBeUndefined();
    expect(corsProblem([rule({ AllowedOrigins: ["*"], AllowedHeaders: ["*"] })], APP, "SHA256")).toBeUndefined();
  });

  it("refuses no rules, another origin, no PUT, and a missing checksum header", () => {
    expect(corsProblem([], APP, "SHA256")).toMatch(/no CORS rule lets https:\/\/feed\.example\.com send PUT/);
    expect(corsProblem([rule({ AllowedOrigins: ["https://other.example.com"] })], APP, "SHA256")).toMatch(
      /no CORS rule/,
    );
    expect(corsProblem([rule({ AllowedMethods: ["GET", "POST"] })], APP, "SHA256")).toMatch(/no CORS rule/);
    expect(corsProblem([rule({ AllowedHeaders: ["content-type"] })], APP, "SHA256")).toMatch(/no CORS rule/);
  });

  it("needs the ETag exposed by the first rule that matches, since S3 answers with that one alone", () => {
    expect(corsProblem([rule({ ExposeHeaders: [] })], APP, "SHA256")).toMatch(/does not expose the ETag header/);
    expect(corsProblem([rule({ ExposeHeaders: ["x-amz-request-id"] }), rule()], APP, "SHA256")).toMatch(
      /does not expose/,
    );
    expect(corsProblem([rule({ AllowedMethods: ["GET"], ExposeHeaders: [] }), rule()], APP, "SHA256")).toBeUndefined();
  });
});
