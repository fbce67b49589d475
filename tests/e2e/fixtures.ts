import { createHash } from "node:crypto";
import { existsSync, mkdirSync, openSync, writeSync, closeSync } from "node:fs";
import { join } from "node:path";
import { GetObjectCommand, ListMultipartUploadsCommand, S3Client } from "@aws-sdk/client-s3";
import { test as base, expect, type BrowserContext, type BrowserContextOptions, type Page } from "@playwright/test";
import pg from "pg";
import type { FaultRuleInput, Stats } from "../../server/local-s3/index.js";
import { TEST_CREDENTIALS } from "../support/local-s3.js";

export interface LocalS3Control {
  setFaults(rules: FaultRuleInput[], seed?: number): Promise<void>;
  stats(): Promise<Stats>;
  resetStats(): Promise<void>;
  objectSha256(key: string): Promise<string>;
  unfinishedMultipartKeys(): Promise<string[]>;
}

export interface TestFile {
  path: string;
  size: number;
  sha256: string;
}

export interface Fixtures {
  /** The local S3 the app stores into: fault rules, counters, and the stored bytes. */
  s3: LocalS3Control;
  /** A file on disk that looks like an MP4 video (valid magic bytes), made once per size. */
  videoFile: (sizeMiB: number) => TestFile;
  /** Signs in through the (fake) GitHub OAuth flow as `login` and waits for the feed. */
  signIn: (login: string, page?: Page) => Promise<void>;
  /** A query against the app's database, to check what the app stored. */
  query: <T extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<T[]>;
  /** Another browser context (a second person or device), watched for CSP violations like the first. */
  newContext: (options?: BrowserContextOptions) => Promise<BrowserContext>;
  /**
   * Content-Security-Policy violations seen in any page of the test, from `securitypolicyviolation`
   * events and the console. A test fails if any is left here when it ends.
   */
  cspViolations: string[];
}

const MiB = 1024 * 1024;

function makeVideo(sizeMiB: number): TestFile {
  const dir = join("test-results", "files");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `video-${sizeMiB}mib.mp4`);
  const hash = createHash("sha256");
  const chunk = Buffer.alloc(MiB);
  const fd = existsSync(path) ? undefined : openSync(path, "w");
  for (let i = 0; i < sizeMiB; i += 1) {
    for (let j = 0; j < MiB; j += 4) chunk.writeUInt32LE(((i * MiB + j) * 2654435761 + sizeMiB) >>> 0, j);
    if (i === 0) Buffer.from("\u0000\u0000\u0000\u0018ftypmp42", "latin1").copy(chunk, 0);
    hash.update(chunk);
    if (fd !== undefined) writeSync(fd, chunk);
  }
  if (fd !== undefined) closeSync(fd);
  return { path, size: sizeMiB * MiB, sha256: hash.digest("hex") };
}

/** Reports every CSP violation in `context`'s pages to `violations`. */
async function watchContentSecurity(context: BrowserContext, violations: string[]): Promise<void> {
  await context.exposeBinding("__reportCspViolation", (_source, text: string) => void violations.push(text));
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = (window as unknown as { __reportCspViolation: (text: string) => void }).__reportCspViolation;
      report(
        `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`,
      );
    });
  });
  context.on("console", (message) => {
    if (/Content.Security.Policy/i.test(message.text())) violations.push(`console: ${message.text()}`);
  });
}

export const test = base.extend<Fixtures>({
  cspViolations: async ({}, use) => {
    const violations: string[] = [];
    await use(violations);
    expect(violations, "Content-Security-Policy violations").toEqual([]);
  },
  context: async ({ context, cspViolations }, use) => {
    await watchContentSecurity(context, cspViolations);
    await use(context);
  },
  newContext: async ({ browser, cspViolations }, use) => {
    const opened: BrowserContext[] = [];
    await use(async (options) => {
      const context = await browser.newContext(options);
      opened.push(context);
      await watchContentSecurity(context, cspViolations);
      return context;
    });
    for (const context of opened) await context.close();
  },
  s3: async ({}, use) => {
    const url = process.env.E2E_S3_URL!;
    const client = new S3Client({
      endpoint: url,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: TEST_CREDENTIALS,
    });
    const control: LocalS3Control = {
      async setFaults(rules, seed = 1) {
        const response = await fetch(`${url}/_local/faults`, { method: "PUT", body: JSON.stringify({ rules, seed }) });
        if (!response.ok) throw new Error(await response.text());
      },
      stats: async () => (await (await fetch(`${url}/_local/stats`)).json()) as Stats,
      async resetStats() {
        await fetch(`${url}/_local/stats`, { method: "DELETE" });
      },
      async objectSha256(key) {
        const object = await client.send(new GetObjectCommand({ Bucket: process.env.E2E_S3_BUCKET, Key: key }));
        const hash = createHash("sha256");
        for await (const chunk of object.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
        return hash.digest("hex");
      },
      async unfinishedMultipartKeys() {
        const result = await client.send(new ListMultipartUploadsCommand({ Bucket: process.env.E2E_S3_BUCKET }));
        return (result.Uploads ?? []).map((u) => u.Key!);
      },
    };
    await control.setFaults([]);
    await control.resetStats();
    await use(control);
    await control.setFaults([]);
    client.destroy();
  },
  videoFile: async ({}, use) => {
    const made = new Map<number, TestFile>();
    await use((sizeMiB) => made.get(sizeMiB) ?? made.set(sizeMiB, makeVideo(sizeMiB)).get(sizeMiB)!);
  },
  signIn: async ({ page }, use) => {
    await use(async (login, target = page) => {
      await target.goto("/login");
      await target.getByRole("button", { name: "Sign in with GitHub" }).click();
      await target.getByLabel("GitHub login").fill(login);
      await target.getByRole("button", { name: "Authorize" }).click();
      await target.waitForURL((url) => url.pathname === "/");
    });
  },
  query: async ({}, use) => {
    const client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
    await client.connect();
    await use(async (text, values) => (await client.query(text, values)).rows);
    await client.end();
  },
});

export { expect };
