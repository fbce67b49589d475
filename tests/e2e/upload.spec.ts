import type { Page } from "@playwright/test";
import { expect, test, type LocalS3Control, type TestFile } from "./fixtures.js";
import { MiB, choose, expectUploaded, offlineMidUpload, percent } from "./upload-helpers.js";

const PART_SIZE = 5 * MiB; // UPLOAD_PART_SIZE of the suite's app
const CONCURRENCY = 4;

/** Starts uploading `file` with storage throttled, and reloads the page once `percent` is shown. */
async function reloadPartWay(
  page: Page,
  s3: Pick<LocalS3Control, "setFaults">,
  file: TestFile,
  at: { bytesPerSecond: number; percent: number },
) {
  await s3.setFaults([{ op: "UploadPart", fault: "throttle", bytesPerSecond: at.bytesPerSecond }]);
  await choose(page, file);
  await expect.poll(() => percent(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(at.percent);
  await page.reload();
}

test.describe("uploading from the browser", () => {
  test("a 64 MiB video uploads and completes, byte for byte", async ({ page, signIn, query, s3, videoFile }) => {
    const file = videoFile(64);
    await signIn("uploader-plain");
    await choose(page, file);
    await expect(page.getByTestId("attachment-preview")).toBeVisible();
    await expectUploaded(page, query, s3, file, "uploader-plain");
    expect((await s3.stats()).UploadPart?.bytesStored).toBe(file.size);
  });

  test("it completes while the storage resets 20% of part uploads mid-body", async ({
    page,
    signIn,
    query,
    s3,
    videoFile,
    consoleErrors,
  }) => {
    const file = videoFile(64);
    // Chromium logs each connection the storage resets on purpose.
    consoleErrors.allow(/Failed to load resource: net::ERR_CONNECTION_RESET/);
    await s3.setFaults([{ op: "UploadPart", fault: "reset", probability: 0.2, afterBytes: 256 * 1024 }], 20);
    await signIn("uploader-resets");
    await choose(page, file);
    await expectUploaded(page, query, s3, file, "uploader-resets");
    expect((await s3.stats()).UploadPart?.faults).toBeGreaterThan(0);
  });

  test("it waits while the browser is offline for 5 s and continues by itself", async ({
    page,
    context,
    signIn,
    query,
    s3,
    videoFile,
    consoleErrors,
  }) => {
    const file = videoFile(64);
    // Requests that meet the dropped connection are logged by Chromium.
    consoleErrors.allow(/Failed to load resource: net::ERR_INTERNET_DISCONNECTED/);
    // About 8 s of uploading, so that the connection drops mid-way.
    await s3.setFaults([{ op: "UploadPart", fault: "throttle", bytesPerSecond: 2 * MiB }]);
    await signIn("uploader-offline");
    await choose(page, file);
    await offlineMidUpload(page, context, 5_000);
    await expectUploaded(page, query, s3, file, "uploader-offline");
  });

  test("after a reload half-way, choosing the same file finishes it without re-sending what arrived", async ({
    page,
    signIn,
    query,
    s3,
    videoFile,
  }) => {
    const file = videoFile(64);
    await signIn("uploader-reload");
    await reloadPartWay(page, s3, file, { bytesPerSecond: 4 * MiB, percent: 50 });
    await expect(page.getByTestId("unfinished-uploads")).toContainText("video-64mib.webm");
    await s3.setFaults([]);
    await choose(page, file);
    await expect(page.getByTestId("upload-status")).not.toHaveText("Preparing…");
    await expectUploaded(page, query, s3, file, "uploader-reload");
    const received = (await s3.stats()).UploadPart!.bytesReceived;
    // Everything once, plus at most the parts that were in flight when the page went away.
    expect(received).toBeLessThanOrEqual(file.size + CONCURRENCY * PART_SIZE);
    expect(received).toBeGreaterThanOrEqual(file.size);
  });

  test("an unfinished upload continues from its own button, and only with the same file", async ({
    page,
    signIn,
    query,
    s3,
    videoFile,
  }) => {
    const file = videoFile(24);
    await signIn("uploader-continue");
    await reloadPartWay(page, s3, file, { bytesPerSecond: 2 * MiB, percent: 30 });
    const unfinished = page.getByTestId("unfinished-uploads");
    await expect(unfinished).toContainText("video-24mib.webm");
    const continueWith = page.getByLabel("Continue uploading video-24mib.webm");

    await continueWith.setInputFiles(videoFile(8).path);
    await expect(unfinished.getByRole("alert")).toContainText(
      "“video-8mib.webm” is not the file this upload came from: choose “video-24mib.webm”",
    );
    await expect(page.getByRole("progressbar")).toHaveCount(0);

    await s3.setFaults([]);
    await continueWith.setInputFiles(file.path);
    // The upload it continues is the one now running, so it leaves the list.
    await expect(unfinished).toBeHidden();
    await expectUploaded(page, query, s3, file, "uploader-continue");
    const [row] = await query<{ count: number }>(
      "select count(*)::int as count from uploads u join users s on s.id = u.user_id where s.login = $1",
      ["uploader-continue"],
    );
    expect(row?.count).toBe(1);
  });

  test("URLs that expire during a long upload are signed again", async ({ page, signIn, query, s3, videoFile }) => {
    const file = videoFile(64);
    // 13 parts of 5 MiB, 4 at a time, 5 s each at 1 MiB/s: URLs signed in the first batch are too old
    // for the last parts (the app's part URLs live 10 s).
    await s3.setFaults([{ op: "UploadPart", fault: "throttle", bytesPerSecond: 1 * MiB }]);
    const signRequests: string[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && /\/api\/uploads\/[^/]+\/parts$/.test(request.url()))
        signRequests.push(request.url());
    });
    await signIn("uploader-expiry");
    await choose(page, file);
    await expectUploaded(page, query, s3, file, "uploader-expiry");
    expect(signRequests.length).toBeGreaterThanOrEqual(2);
  });

  test("cancel aborts the multipart upload in storage and marks it aborted", async ({
    page,
    signIn,
    query,
    s3,
    videoFile,
  }) => {
    const file = videoFile(64);
    await s3.setFaults([{ op: "UploadPart", fault: "throttle", bytesPerSecond: 1 * MiB }]);
    await signIn("uploader-cancel");
    await choose(page, file);
    await expect.poll(() => percent(page)).toBeGreaterThan(0);
    const [row] = await query<{ s3_key: string }>(
      "select u.s3_key from uploads u join users s on s.id = u.user_id where s.login = $1",
      ["uploader-cancel"],
    );
    expect(await s3.unfinishedMultipartKeys()).toContain(row!.s3_key);
    await page.getByRole("button", { name: "Cancel upload" }).click();
    await expect(page.getByTestId("drop-zone")).toBeVisible();
    await expect
      .poll(
        async () =>
          (await query<{ status: string }>("select status from uploads where s3_key = $1", [row!.s3_key]))[0]!.status,
      )
      .toBe("aborted");
    expect(await s3.unfinishedMultipartKeys()).not.toContain(row!.s3_key);
  });
});
