import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, GetBucketCorsCommand, HeadBucketCommand, PutBucketCorsCommand } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { startRuntime, type Runtime } from "../../server/boot.js";
import { parseEnv } from "../../server/config/env.js";
import { BucketNotReadyError } from "../../server/storage/bucket.js";
import { captureLogs } from "../support/logs.js";
import { TEST_CREDENTIALS, startTestS3, type TestS3 } from "../support/local-s3.js";
import { createDatabaseFromTemplate } from "../support/postgres.js";

const APP_URL = "http://feed.example.test";

// A second local S3 plays an operator's external S3: nothing is created in it unless a test does.
let external: TestS3;
let database: { url: string; drop(): Promise<void> };
let dataDir: string;
let running: Runtime | undefined;

beforeAll(async () => {
  external = await startTestS3({ buckets: [] });
  database = await createDatabaseFromTemplate(inject("pgAdminUrl"), `startup_${Date.now()}`);
  dataDir = await mkdtemp(join(tmpdir(), "feedup-startup-"));
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
});
afterAll(async () => {
  await external.close();
  await database.drop();
  await rm(dataDir, { recursive: true, force: true });
});

async function start(bucket: string, extra: Record<string, string> = {}) {
  const { log, records } = captureLogs("info");
  const env = parseEnv({
    NODE_ENV: "test",
    APP_URL,
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    SESSION_SECRET: "startup-test-session-secret-0123456789",
    S3_ENDPOINT: external.server.url,
    S3_BUCKET: bucket,
    S3_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    S3_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    ...extra,
  });
  running = await startRuntime({ env, port: 0, log, sweep: false });
  return records;
}

async function refusal(bucket: string): Promise<string> {
  const error = await start(bucket).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(BucketNotReadyError);
  return (error as Error).message;
}

const corsRules = async (bucket: string) =>
  (await external.client.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules ?? [];

describe("start-up against an external S3", () => {
  it("stops when the bucket does not exist, saying what to set", async () => {
    const message = await refusal("missing-media");
    expect(message).toContain(`${external.server.url} (S3_ENDPOINT), bucket "missing-media" (S3_BUCKET)`);
    expect(message).toContain('the bucket "missing-media" does not exist');
    expect(message).toContain("S3_PREPARE_BUCKET=true");
    await expect(external.client.send(new HeadBucketCommand({ Bucket: "missing-media" }))).rejects.toThrow();
  });

  it("stops when the bucket's CORS does not let the app upload and read ETags, printing the rule to add", async () => {
    await external.client.send(new CreateBucketCommand({ Bucket: "no-cors" }));
    const none = await refusal("no-cors");
    expect(none).toContain(`no CORS rule lets ${APP_URL} send PUT`);
    const rule = JSON.parse(none.slice(none.indexOf('{"CORSRules"'))) as { CORSRules: Array<Record<string, unknown>> };
    expect(rule.CORSRules[0]).toMatchObject({
      AllowedOrigins: [APP_URL],
      ExposeHeaders: expect.arrayContaining(["ETag"]),
    });

    await external.client.send(
      new PutBucketCorsCommand({
        Bucket: "no-cors",
        CORSConfiguration: {
          CORSRules: [{ AllowedOrigins: [APP_URL], AllowedMethods: ["PUT"], AllowedHeaders: ["*"], ExposeHeaders: [] }],
        },
      }),
    );
    expect(await refusal("no-cors")).toContain("does not expose the ETag header");
  });

  it("starts when the bucket exists with a CORS rule that fits (as an operator configured it)", async () => {
    await external.client.send(new CreateBucketCommand({ Bucket: "ready-media" }));
    await external.client.send(
      new PutBucketCorsCommand({
        Bucket: "ready-media",
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedOrigins: ["http://*.example.test"],
              AllowedMethods: ["GET", "PUT"],
              AllowedHeaders: ["x-amz-*"],
              ExposeHeaders: ["etag"],
            },
          ],
        },
      }),
    );
    const logs = await start("ready-media");
    expect(running?.config.s3.bucket).toBe("ready-media");
    expect(logs.find((line) => String(line.msg).startsWith("feedup is running at"))).toBeDefined();
  });

  it("with S3_PREPARE_BUCKET=true, creates the bucket and adds the app's CORS rule, keeping existing rules", async () => {
    await start("prepared-media", { S3_PREPARE_BUCKET: "true" });
    await external.client.send(new HeadBucketCommand({ Bucket: "prepared-media" }));
    expect(await corsRules("prepared-media")).toEqual([
      expect.objectContaining({ AllowedOrigins: [APP_URL], AllowedMethods: expect.arrayContaining(["PUT"]) }),
    ]);
    await running!.stop();
    running = undefined;

    const other = {
      AllowedOrigins: ["https://other.example"],
      AllowedMethods: ["GET"],
      AllowedHeaders: [],
      ExposeHeaders: [],
    };
    await external.client.send(
      new PutBucketCorsCommand({ Bucket: "prepared-media", CORSConfiguration: { CORSRules: [other] } }),
    );
    await start("prepared-media", { S3_PREPARE_BUCKET: "true" });
    const rules = await corsRules("prepared-media");
    expect(rules.map((r) => r.AllowedOrigins)).toEqual([[APP_URL], ["https://other.example"]]);
  });
});
