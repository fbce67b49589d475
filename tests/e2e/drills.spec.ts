import type { Page } from "@playwright/test";
import type { FaultRuleInput } from "../../server/local-s3/index.js";
import { E2E_PART_MIB } from "../support/e2e-settings.js";
import { expect, test, type Fixtures } from "./fixtures.js";
import { untilUploaded } from "./upload-helpers.js";

// Retry drills: the upload's details view lists every attempt the uploader made (time, duration,
// outcome, reason), and the count is compared with the local S3's UploadPart counters. With faults
// Chromium cannot absorb (resets after the answer's headers or on fresh connections, status faults),
// every PUT the local S3 saw is one the timeline lists. A reset on a reused connection before any answer
// is re-sent by Chromium itself, unseen by the app: the storage then saw more PUTs than the timeline
// lists, never more than the faults injected (README, "Which faults reach the uploader").

const FILE_MIB = 64;
const PARTS = Math.ceil(FILE_MIB / E2E_PART_MIB);

/** The details view's timeline, all of it. */
async function timeline(page: Page) {
  await page.getByRole("button", { name: "Details" }).click();
  const details = page.getByTestId("upload-details");
  const showAll = details.getByRole("button", { name: "Show all" });
  if (await showAll.isVisible()) await showAll.click();
  const rows = details.getByRole("list", { name: "Attempts" }).getByRole("listitem");
  const attempts = rows.and(page.locator('[data-kind="attempt"]'));
  const texts = await attempts.allTextContents();
  const parts = Number((await details.getByText(/^\d+ of \d+ parts stored/).textContent())!.match(/of (\d+)/)![1]);
  return {
    parts,
    attempts: texts,
    failed: texts.filter((t) => / failed after /.test(t)),
    stored: texts.filter((t) => / stored /.test(t)),
    interrupted: texts.filter((t) => / interrupted after /.test(t)),
    resigns: await rows.and(page.locator('[data-kind="resign"]')).count(),
  };
}

async function drill(
  page: Page,
  fixtures: Pick<Fixtures, "s3" | "signIn" | "videoFile">,
  login: string,
  rules: FaultRuleInput[],
) {
  const { s3, signIn, videoFile } = fixtures;
  await s3.setFaults(rules, 17);
  await signIn(login);
  await page.getByLabel("Choose a file to attach").setInputFiles(videoFile(FILE_MIB).path);
  await untilUploaded(page, 120_000);
  const stats = (await s3.stats()).UploadPart!;
  const listed = await timeline(page);
  expect(listed.parts).toBe(PARTS);
  return { stats, listed };
}

/** "Part 5 attempt 1 failed after 0.1 s (5 MiB sent): connection lost → tries again" */
const failedRow = (reason: string) =>
  new RegExp(
    `^\\d\\d:\\d\\d:\\d\\d\\.\\dPart \\d+ attempt \\d+ failed after [\\d.]+ s \\([^)]*\\): ${reason} → tries again$`,
  );

const DRILLS: Array<{ name: string; login: string; rule: FaultRuleInput; reason: string }> = [
  {
    name: "resets after the answer's headers",
    login: "driller-reset-headers",
    rule: { op: "UploadPart", fault: "reset", after: "headers", partNumbers: [2, 5], times: 3 },
    reason: "connection lost",
  },
  {
    name: "resets mid-body on fresh connections",
    login: "driller-reset-fresh",
    rule: {
      op: "UploadPart",
      fault: "reset",
      afterBytes: 256 * 1024,
      connection: "fresh",
      partNumbers: [3, 6],
      times: 3,
    },
    reason: "connection lost",
  },
  {
    name: "500s from storage",
    login: "driller-status-500",
    rule: { op: "UploadPart", fault: "status", status: 500, partNumbers: [1, 4, 7], times: 3 },
    reason: "storage error 500 InternalError",
  },
];

test.describe("retry drills: the timeline lists every attempt the storage saw", () => {
  for (const { name, login, rule, reason } of DRILLS) {
    test(`${name}: one failed attempt listed per fault, with its reason`, async ({ page, s3, signIn, videoFile }) => {
      const { stats, listed } = await drill(page, { s3, signIn, videoFile }, login, [rule]);
      expect(stats.faults).toBe(3);
      expect(listed.failed).toHaveLength(stats.faults);
      for (const row of listed.failed) expect(row).toMatch(failedRow(reason));
      // Each part stored once; nothing interrupted in these drills.
      expect(listed.stored).toHaveLength(listed.parts);
      expect(listed.interrupted).toEqual([]);
      // Every PUT the local S3 saw is an attempt the timeline lists, and the other way round.
      expect(stats.requests).toBe(listed.attempts.length);
      expect(stats.requests).toBe(listed.parts + stats.faults);
    });
  }

  test("resets on reused connections: Chromium re-sends some by itself; the difference is bounded by the faults", async ({
    page,
    s3,
    signIn,
    videoFile,
  }) => {
    const rule: FaultRuleInput = {
      op: "UploadPart",
      fault: "reset",
      afterBytes: 256 * 1024,
      partNumbers: [2, 5, 8],
      times: 3,
    };
    const { stats, listed } = await drill(page, { s3, signIn, videoFile }, "driller-reset-reused", [rule]);
    expect(stats.faults).toBe(3);
    // What the uploader saw of the resets it lists, each with its reason; the rest Chromium absorbed.
    for (const row of listed.failed) expect(row).toMatch(failedRow("connection lost"));
    const absorbed = stats.faults - listed.failed.length;
    expect(absorbed).toBeGreaterThanOrEqual(0);
    expect(absorbed).toBeLessThanOrEqual(stats.faults);
    // The storage saw each listed attempt, plus one re-send per absorbed reset.
    expect(stats.requests - listed.attempts.length).toBe(absorbed);
    expect(listed.stored).toHaveLength(listed.parts);
  });

  test("Copy as JSON gives every entry of the timeline; the uploader's summary reaches the ledger", async ({
    page,
    context,
    query,
    s3,
    signIn,
    videoFile,
  }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const rule: FaultRuleInput = {
      op: "UploadPart",
      fault: "status",
      status: 403,
      code: "AccessDenied",
      partNumbers: [2],
      times: 1,
    };
    const { stats, listed } = await drill(page, { s3, signIn, videoFile }, "driller-copy", [rule]);
    await page.getByRole("button", { name: "Copy as JSON" }).click();
    await expect(page.getByTestId("upload-details").getByRole("status")).toHaveText("Copied");
    const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as {
      entries: Array<{ kind: string; outcome?: string; reason?: string; part?: number }>;
    };
    const attempts = copied.entries.filter((e) => e.kind === "attempt");
    expect(attempts).toHaveLength(stats.requests);
    expect(attempts.filter((e) => e.outcome === "failed")).toEqual([
      expect.objectContaining({ part: 2, reason: "upload link refused (403 AccessDenied)", category: "other" }),
    ]);
    // The refused part was signed again before its next attempt, in the timeline too.
    expect(copied.entries.filter((e) => e.kind === "resign")).toEqual([expect.objectContaining({ part: 2 })]);
    expect(listed.resigns).toBeGreaterThanOrEqual(1);
    // The summary the uploader posted at completion, as the upload's ledger row keeps it.
    const summary = async () =>
      (
        await query<{ client_summary: Record<string, unknown> | null }>(
          "select u.client_summary from uploads u join users s on s.id = u.user_id where s.login = $1 order by u.created_at desc limit 1",
          ["driller-copy"],
        )
      )[0]?.client_summary ?? null;
    await expect.poll(summary).not.toBeNull();
    expect(await summary()).toMatchObject({
      outcome: "completed",
      partSize: E2E_PART_MIB * 1024 * 1024,
      // The default mode (UPLOAD_CHECKSUM unset).
      checksum: "crc64nvme",
      attemptsPerPart: { "1": PARTS - 1, "2": 1 },
      retries: { other: 1 },
    });
  });
});
