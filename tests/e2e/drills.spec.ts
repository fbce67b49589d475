import type { Page } from "@playwright/test";
import type { FaultRuleInput } from "../../server/local-s3/index.js";
import { expect, test, type Fixtures } from "./fixtures.js";

// Retry drills whose faults Chromium cannot absorb: each one the local S3 injects must reach the uploader
// and show as one retry in the upload's details (a reset before any answer on a reused connection would
// be re-sent by Chromium itself, unseen by the app).

const PARTS = 8; // a 64 MiB file in the app's 8 MiB parts

/** The retries the upload's details view lists. */
function listedRetries(page: Page) {
  return page.getByTestId("upload-details").getByRole("list", { name: "Retries" }).getByRole("listitem");
}

async function drill(page: Page, fixtures: Pick<Fixtures, "s3" | "signIn" | "videoFile">, rules: FaultRuleInput[]) {
  const { s3, signIn, videoFile } = fixtures;
  const file = videoFile(64);
  await s3.setFaults(rules, 17);
  await signIn(`driller-${rules[0]!.fault}-${rules[0]!.connection ?? "any"}`);
  await page.getByLabel("Choose a file to attach").setInputFiles(file.path);
  await expect(page.getByTestId("upload-progress")).toHaveAttribute("data-phase", "done", { timeout: 120_000 });
  await page.getByRole("button", { name: "Details" }).click();
  const stats = (await s3.stats()).UploadPart!;
  return { stats, retries: listedRetries(page) };
}

const DRILLS: Array<{ name: string; rule: FaultRuleInput }> = [
  {
    name: "a reset after the answer's headers",
    rule: { op: "UploadPart", fault: "reset", after: "headers", partNumbers: [2, 5], times: 3 },
  },
  {
    name: "a reset mid-body on a fresh connection",
    rule: {
      op: "UploadPart",
      fault: "reset",
      afterBytes: 256 * 1024,
      connection: "fresh",
      partNumbers: [3, 6],
      times: 3,
    },
  },
];

test.describe("retry drills that reach the uploader", () => {
  for (const { name, rule } of DRILLS) {
    test(`${name} shows as one retry per injected fault`, async ({ page, s3, signIn, videoFile }) => {
      const { stats, retries } = await drill(page, { s3, signIn, videoFile }, [rule]);
      expect(stats.faults).toBe(3);
      await expect(retries).toHaveCount(stats.faults);
      await expect(retries.first()).toContainText("connection lost");
      // Every PUT the local S3 saw is one the app sent: the parts, plus one more per fault.
      expect(stats.requests).toBe(PARTS + stats.faults);
    });
  }
});
