import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ListMultipartUploadsCommand, S3Client } from "@aws-sdk/client-s3";
import {
  test as base,
  expect,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from "@playwright/test";
import pg from "pg";
import type { FaultRuleInput, Stats } from "../../server/local-s3/index.js";
import { TEST_CREDENTIALS, objectSha256 } from "../support/local-s3.js";
import { makeClip, padWebm } from "./media.js";

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

/** Console errors and page errors a test causes on purpose (e.g. storage faults it injects). */
export interface ConsoleErrors {
  /** Lets messages matching `pattern` through; any other error still fails the test. */
  allow(pattern: RegExp): void;
  /** Watches the pages of another context too (the newContext fixture does this for its contexts). */
  watch(context: BrowserContext): void;
}

export interface Fixtures {
  /** Every page of the test is watched: a console.error or an uncaught page error fails it. */
  consoleErrors: ConsoleErrors;
  /** The local S3 the app stores into: fault rules, counters, and the stored bytes. */
  s3: LocalS3Control;
  /**
   * A real WebM video of `sizeMiB` MiB that plays in a browser (a 3-second clip padded with a Void
   * element players skip), made once per size.
   */
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

interface WorkerFixtures {
  /** A 3-second 640×360 WebM clip made with WebCodecs, once per worker. */
  clip: Buffer;
}

const MiB = 1024 * 1024;

function makeVideo(clip: Buffer, sizeMiB: number): TestFile {
  const dir = join("test-results", "files");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `video-${sizeMiB}mib.webm`);
  if (!existsSync(path) || statSync(path).size !== sizeMiB * MiB) writeFileSync(path, padWebm(clip, sizeMiB * MiB));
  const sha256 = createHash("sha256").update(readFileSync(path)).digest("hex");
  return { path, size: sizeMiB * MiB, sha256 };
}

/** Makes the clip on a page of the app's origin: WebCodecs needs a secure context, and localhost is one. */
async function clipFrom(browser: Browser): Promise<Buffer> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${process.env.E2E_APP_URL}/login`);
    return await makeClip(page);
  } finally {
    await context.close();
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

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

export const test = base.extend<Fixtures, WorkerFixtures>({
  cspViolations: async ({}, use) => {
    const violations: string[] = [];
    await use(violations);
    expect(violations, "Content-Security-Policy violations").toEqual([]);
  },
  context: async ({ context, cspViolations }, use) => {
    await watchContentSecurity(context, cspViolations);
    await use(context);
  },
  // Contexts a test opens itself (a second person, a fresh start) are watched like the first.
  newContext: async ({ browser, cspViolations, consoleErrors }, use) => {
    const opened: BrowserContext[] = [];
    await use(async (options) => {
      const context = await browser.newContext(options);
      opened.push(context);
      await watchContentSecurity(context, cspViolations);
      consoleErrors.watch(context);
      return context;
    });
    for (const context of opened) await context.close();
  },
  consoleErrors: [
    async ({ context }, use) => {
      const seen: string[] = [];
      const allowed: RegExp[] = [];
      const watchPage = (page: Page) => {
        page.on("console", (message) => {
          // The resource a "Failed to load resource" is about is the message's location.
          const from = message.location().url;
          if (message.type() === "error")
            seen.push(`console.error at ${page.url()}: ${message.text()}${from ? ` [${from}]` : ""}`);
        });
        page.on("pageerror", (error) => seen.push(`page error at ${page.url()}: ${error.message}`));
      };
      const watch = (watched: BrowserContext) => {
        watched.pages().forEach(watchPage);
        watched.on("page", watchPage);
      };
      watch(context);
      await use({ allow: (pattern) => void allowed.push(pattern), watch });
      expect(
        seen.filter((message) => !allowed.some((pattern) => pattern.test(message))),
        "console errors and page errors",
      ).toEqual([]);
    },
    { auto: true },
  ],
  clip: [async ({ browser }, use) => use(await clipFrom(browser)), { scope: "worker" }],
  s3: async ({ consoleErrors }, use) => {
    const url = process.env.E2E_S3_URL!;
    const client = new S3Client({
      endpoint: url,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: TEST_CREDENTIALS,
    });
    const control: LocalS3Control = {
      async setFaults(rules, seed = 1) {
        // Requests to storage that the test makes fail are logged by the browser: those are expected.
        if (rules.length > 0) consoleErrors.allow(new RegExp(`Failed to load resource: .*\\[${escapeRegExp(url)}/`));
        const response = await fetch(`${url}/_local/faults`, { method: "PUT", body: JSON.stringify({ rules, seed }) });
        if (!response.ok) throw new Error(await response.text());
      },
      stats: async () => (await (await fetch(`${url}/_local/stats`)).json()) as Stats,
      async resetStats() {
        await fetch(`${url}/_local/stats`, { method: "DELETE" });
      },
      objectSha256: (key) => objectSha256(client, process.env.E2E_S3_BUCKET!, key),
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
  videoFile: async ({ clip }, use) => {
    const made = new Map<number, TestFile>();
    await use((sizeMiB) => made.get(sizeMiB) ?? made.set(sizeMiB, makeVideo(clip, sizeMiB)).get(sizeMiB)!);
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
