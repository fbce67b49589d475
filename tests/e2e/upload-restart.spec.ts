import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { freePort } from "../../server/db/embedded.js";
import type { FaultRuleInput } from "../../server/local-s3/index.js";
import { npmStart, type StartedApp } from "../support/npm-start.js";
import { waitForHttp } from "../support/wait.js";
import { expect, test } from "./fixtures.js";
import {
  MiB,
  choose,
  expectHonestStatus,
  percent,
  recordStatusLines,
  status,
  statusLines,
  untilUploaded,
} from "./upload-helpers.js";

async function setFaults(s3Url: string, rules: FaultRuleInput[]) {
  const response = await fetch(`${s3Url}/_local/faults`, { method: "PUT", body: JSON.stringify({ rules }) });
  expect(response.ok).toBe(true);
}

/** SHA-256 of the one object the app stored, read with the credentials the app generated in its data folder. */
async function storedObjectSha256(s3Url: string, dataDir: string): Promise<string> {
  const credentials = JSON.parse(readFileSync(join(dataDir, "local-s3-credentials.json"), "utf8"));
  const client = new S3Client({ endpoint: s3Url, region: "us-east-1", forcePathStyle: true, credentials });
  try {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: "feedup-media", Prefix: "uploads/" }));
    expect(listed.Contents).toHaveLength(1);
    const object = await client.send(new GetObjectCommand({ Bucket: "feedup-media", Key: listed.Contents![0]!.Key! }));
    const hash = createHash("sha256");
    for await (const chunk of object.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
    return hash.digest("hex");
  } finally {
    client.destroy();
  }
}

test("the app, with its embedded S3 and default settings, stopped at about 30% and started 90 s later: the page continues by itself", async ({
  page,
  videoFile,
  consoleErrors,
}) => {
  test.setTimeout(600_000);
  // While the app and its storage are down, the browser logs each refused connection: the drill's point.
  // A part on its way when the storage stops is cut off (reset), which the browser logs as well.
  consoleErrors.allow(/Failed to load resource: net::ERR_CONNECTION_REFUSED/);
  consoleErrors.allow(
    /Failed to load resource: net::ERR_CONNECTION_RESET \[http:\/\/127\.0\.0\.1:\d+\/feedup-media\/uploads\//,
  );
  const dataDir = await mkdtemp(join(tmpdir(), "feedup-restart-"));
  await chmod(dataDir, 0o755);
  const port = await freePort();
  const url = `http://localhost:${port}`;
  // Nothing but a port and a data folder: no LOCAL_S3_PORT, every upload setting at its default.
  const env = { PORT: String(port), DATA_DIR: dataDir };
  let app: StartedApp = npmStart(env);
  try {
    await waitForHttp(`${url}/healthz`, { timeoutMs: 180_000, whileAlive: app.child });
    const s3Url = app.output().match(/local S3 at (http:\/\/127\.0\.0\.1:\d+)/)![1]!;
    await recordStatusLines(page);
    await page.goto(`${url}/`);
    await page.getByLabel("Local user name").fill("restart-drill");
    await page.getByRole("button", { name: "Continue as a local user" }).click();
    await page.waitForURL(`${url}/`);

    const file = videoFile(48);
    // 6 parts of 8 MiB, 4 at a time at 1 MiB/s each: 30% after about 4 s.
    await setFaults(s3Url, [{ op: "UploadPart", fault: "throttle", bytesPerSecond: MiB }]);
    await choose(page, file);
    await expect.poll(() => percent(page), { timeout: 60_000, intervals: [250] }).toBeGreaterThanOrEqual(28);
    // Stopped well before the end (the shown percent keeps counting bytes already in flight while the app
    // shuts down, so it is read as the stop begins).
    expect(await percent(page)).toBeLessThan(60);
    expect(await app.stop()).toBe(130);
    const stoppedAt = Date.now();
    await expect(status(page)).toHaveText(/^(Reconnecting|Can't reach)/, { timeout: 60_000 });
    await page.waitForTimeout(90_000 - (Date.now() - stoppedAt)); // the scenario: started again 90 s later

    app = npmStart(env);
    await waitForHttp(`${url}/healthz`, { timeoutMs: 180_000, whileAlive: app.child });
    // The embedded S3 came back on the port it had, so the part URLs the page holds still reach it.
    expect(app.output()).toContain(`local S3 at ${s3Url},`);
    await untilUploaded(page, 180_000);
    await expect(status(page)).toHaveText("Uploaded");
    expect(await storedObjectSha256(s3Url, dataDir)).toBe(file.sha256);
    expectHonestStatus(await statusLines(page));
  } finally {
    await Promise.race([app.stop(), new Promise((resolve) => setTimeout(resolve, 30_000))]);
    app.kill();
    await rm(dataDir, { recursive: true, force: true });
  }
});
