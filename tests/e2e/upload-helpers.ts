import type { BrowserContext, Page } from "@playwright/test";
import { expect, type LocalS3Control, type TestFile } from "./fixtures.js";

export const MiB = 1024 * 1024;

export async function choose(page: Page, file: Pick<TestFile, "path">) {
  await page.getByLabel("Choose a file to attach").setInputFiles(file.path);
}

/** Attaches the file at `path` and waits until the page shows it uploaded. */
export async function attachAndWait(page: Page, path: string, timeout = 60_000) {
  await choose(page, { path });
  await untilUploaded(page, timeout);
}

export const progress = (page: Page) => page.getByRole("progressbar");

/** Resolves once the page shows its upload done (fails after `timeout`). */
export const untilUploaded = (page: Page, timeout = 60_000) =>
  expect(page.getByTestId("upload-progress")).toHaveAttribute("data-phase", "done", { timeout });
export const percent = async (page: Page) => Number(await progress(page).getAttribute("aria-valuenow"));
export const status = (page: Page) => page.getByTestId("upload-status");

/** Once the upload is under way (10%), the browser goes offline for `ms` (the scenario's duration), then back. */
export async function offlineMidUpload(page: Page, context: BrowserContext, ms: number) {
  await expect.poll(() => percent(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(10);
  await context.setOffline(true);
  await expect(status(page)).toHaveText("Offline — will continue when the connection is back");
  await page.waitForTimeout(ms); // the scenario's time without a network, not a wait for an event
  await context.setOffline(false);
}

type Query = <T extends object>(text: string, values?: unknown[]) => Promise<T[]>;

/** The latest upload of `login`, as the ledger has it. */
export async function latestUpload(query: Query, login: string) {
  const [row] = await query<{ id: string; s3_key: string; status: string; size: number }>(
    "select u.id, u.s3_key, u.status, u.size::int as size from uploads u join users s on s.id = u.user_id where s.login = $1 order by u.created_at desc limit 1",
    [login],
  );
  return row;
}

/** Waits for the page to show the upload done, then checks the ledger and that storage holds the file's very bytes. */
export async function expectUploaded(
  page: Page,
  query: Query,
  s3: Pick<LocalS3Control, "objectSha256">,
  file: TestFile,
  login: string,
  timeout = 120_000,
) {
  await untilUploaded(page, timeout);
  await expect(status(page)).toHaveText("Uploaded");
  const row = await latestUpload(query, login);
  expect(row).toMatchObject({ status: "completed", size: file.size });
  expect(await s3.objectSha256(row!.s3_key)).toBe(file.sha256);
}

declare global {
  interface Window {
    __statusLines?: string[];
  }
}

/**
 * Records every text the status and figures lines show, from the page's first load on (a mutation
 * observer, so nothing between two polls is missed). Call before the page is opened.
 */
export async function recordStatusLines(page: Page) {
  await page.addInitScript(() => {
    window.__statusLines = [];
    const seen = () => {
      for (const id of ["upload-status", "upload-figures"]) {
        const text = document.querySelector(`[data-testid="${id}"]`)?.textContent;
        if (text && window.__statusLines!.at(-1) !== text) window.__statusLines!.push(text);
      }
    };
    new MutationObserver(seen).observe(document, { subtree: true, childList: true, characterData: true });
  });
}

/** What the status lines showed since `recordStatusLines` (this page load only). */
export const statusLines = (page: Page) => page.evaluate(() => window.__statusLines ?? []);

/** The rule: never a non-finite number, never an ETA over 99 h. */
export function expectHonestStatus(lines: string[]) {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    expect(line, line).not.toMatch(/NaN|Infinity|undefined|\de[+-]?\d/);
    for (const [, hours] of line.matchAll(/(\d+) h\b/g)) expect(Number(hours), line).toBeLessThanOrEqual(99);
  }
}
