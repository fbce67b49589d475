import { CreateBucketCommand, PutBucketCorsCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestS3, type TestS3 } from "../../support/local-s3.js";

const APP = "http://app.localhost:3000";
let s3: TestS3;

beforeAll(async () => {
  s3 = await startTestS3({ buckets: ["default-rule"], corsOrigins: [APP] });
  await s3.client.send(new CreateBucketCommand({ Bucket: "own-rule" }));
  await s3.client.send(
    new PutBucketCorsCommand({
      Bucket: "own-rule",
      CORSConfiguration: {
        CORSRules: [
          {
            AllowedOrigins: ["https://*.example.com"],
            AllowedMethods: ["PUT"],
            AllowedHeaders: ["content-type", "x-amz-*"],
            ExposeHeaders: ["ETag"],
            MaxAgeSeconds: 60,
          },
        ],
      },
    }),
  );
});
afterAll(async () => s3.close());

const preflight = (bucket: string, origin: string, method: string, headers?: string) =>
  fetch(`${s3.server.url}/${bucket}/some/key`, {
    method: "OPTIONS",
    headers: {
      Origin: origin,
      "Access-Control-Request-Method": method,
      ...(headers ? { "Access-Control-Request-Headers": headers } : {}),
    },
  });

describe("CORS", () => {
  it("answers a matching preflight with the rule's methods, the requested headers and max age", async () => {
    const response = await preflight(
      "own-rule",
      "https://upload.example.com",
      "PUT",
      "content-type,x-amz-checksum-sha256",
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://upload.example.com");
    expect(response.headers.get("access-control-allow-methods")).toBe("PUT");
    expect(response.headers.get("access-control-allow-headers")).toBe("content-type, x-amz-checksum-sha256");
    expect(response.headers.get("access-control-expose-headers")).toBe("ETag");
    expect(response.headers.get("access-control-max-age")).toBe("60");
  });

  it("refuses a preflight with 403 when the origin, method or a header is not allowed", async () => {
    expect((await preflight("own-rule", "https://evil.test", "PUT")).status).toBe(403);
    expect((await preflight("own-rule", "https://upload.example.com", "DELETE")).status).toBe(403);
    expect((await preflight("own-rule", "https://upload.example.com", "PUT", "authorization")).status).toBe(403);
  });

  it("refuses every preflight for a bucket without CORS rules", async () => {
    const bare = await startTestS3({ buckets: ["bare"] });
    try {
      const response = await fetch(`${bare.server.url}/bare/k`, {
        method: "OPTIONS",
        headers: { Origin: APP, "Access-Control-Request-Method": "GET" },
      });
      expect(response.status).toBe(403);
    } finally {
      await bare.close();
    }
  });

  it("applies the startup rule for the app's origin and exposes ETag on actual requests", async () => {
    const ok = await preflight("default-rule", APP, "PUT", "content-type");
    expect(ok.status).toBe(200);
    expect((await preflight("default-rule", "http://other.localhost", "PUT")).status).toBe(403);

    await s3.client.send(new PutObjectCommand({ Bucket: "default-rule", Key: "k", Body: "x" }));
    const url = await getSignedUrl(s3.client, new GetObjectCommand({ Bucket: "default-rule", Key: "k" }), {
      expiresIn: 60,
    });
    const response = await fetch(url, { headers: { Origin: APP } });
    expect(response.headers.get("access-control-allow-origin")).toBe(APP);
    expect(response.headers.get("access-control-expose-headers")?.split(", ")).toContain("ETag");
  });
});
