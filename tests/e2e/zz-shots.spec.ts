import { expect, test } from "./fixtures.js";

for (const width of [375, 1440]) {
  test(`details timeline at ${width}`, async ({ page, s3, signIn, videoFile }) => {
    await page.setViewportSize({ width, height: 1000 });
    await s3.setFaults(
      [
        { op: "UploadPart", fault: "reset", after: "headers", partNumbers: [2, 5], times: 2 },
        { op: "UploadPart", fault: "status", status: 503, partNumbers: [7], times: 2 },
        { op: "UploadPart", fault: "status", status: 403, code: "AccessDenied", partNumbers: [9], times: 1 },
      ],
      5,
    );
    await signIn(`shot-${width}`);
    await page.getByLabel("Choose a file to attach").setInputFiles(videoFile(64).path);
    await page.getByRole("button", { name: "Details" }).click();
    await expect(page.getByTestId("upload-progress")).toHaveAttribute("data-phase", "done", { timeout: 120_000 });
    await page.getByTestId("upload-details").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `/tmp/shots/details-${width}.png`, fullPage: true });
  });
}
