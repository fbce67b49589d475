import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "@playwright/test";
import { expect, test, type Fixtures } from "./fixtures.js";
import { brokenMp4, makeClip } from "./media.js";
import { dropFile, sha256Hex } from "./page-files.js";
import { untilUploaded } from "./upload-helpers.js";

const MiB = 1024 * 1024;

const postButton = (page: Page) => page.getByRole("button", { name: "Post", exact: true });
const composerText = (page: Page) => page.getByLabel("What do you want to share?");
const postWith = (page: Page, text: string) => page.getByTestId("post").filter({ hasText: text });

/** A page signed in as `login` in a context of its own (another person). */
async function personPage(newContext: Fixtures["newContext"], signIn: Fixtures["signIn"], login: string) {
  const context = await newContext();
  const page = await context.newPage();
  await signIn(login, page);
  return { page, close: () => context.close() };
}

/** Attaches `buffer` (a clip made with WebCodecs) as `name`, waits for the upload, and posts it with `text`. */
async function postClip(page: Page, text: string, name: string, buffer: Buffer) {
  await composerText(page).fill(text);
  await dropFile(page.getByTestId("drop-zone"), { name, mimeType: "video/webm", buffer });
  await untilUploaded(page);
  await postButton(page).click();
  await expect(page.getByTestId("upload-progress")).toHaveCount(0);
}

test("a real clip uploads, shows its poster and length before playing, plays and seeks; others see it; deleting removes it all", async ({
  page,
  newContext,
  signIn,
  query,
  s3,
  videoFile,
  clip,
  consoleErrors,
}, testInfo) => {
  // Removing the attachment mid-upload aborts it: a part being signed or recorded at that moment is
  // answered 409 (the upload is aborted), which the cancelled uploader ignores; Chromium logs it.
  consoleErrors.allow(/Failed to load resource: the server responded with a status of 409 \(Conflict\)/);
  await signIn("poster");
  await page.setViewportSize({ width: 375, height: 812 });
  await expect(postButton(page)).toBeDisabled();
  await expect(postButton(page)).toHaveAccessibleDescription("Write something or attach a video or photo.");

  // Mid-upload on a phone: why Post waits is on screen, and is the button's description.
  await s3.setFaults([{ op: "UploadPart", fault: "throttle", bytesPerSecond: 1 * MiB }]);
  await composerText(page).fill("Uploading a long one…");
  await page.getByLabel("Choose a file to attach").setInputFiles(videoFile(64).path);
  // Under way (the first bytes are stored): hashing 64 MiB takes a while on a busy machine.
  await expect
    .poll(async () => Number(await page.getByRole("progressbar").getAttribute("aria-valuenow")), { timeout: 60_000 })
    .toBeGreaterThan(0);
  const waiting = "You can post once the attachment has finished uploading.";
  await expect(page.getByTestId("post-reason")).toHaveText(waiting);
  await expect(page.getByTestId("post-reason")).toBeInViewport();
  await expect(postButton(page)).toBeDisabled();
  await expect(postButton(page)).toHaveAccessibleDescription(waiting);
  // A second file is refused out loud, and the first one keeps uploading.
  await dropFile(page.getByLabel("Attachment: video-64mib.webm"), {
    name: "second.webm",
    mimeType: "video/webm",
    buffer: clip,
  });
  await expect(page.getByRole("alert")).toHaveText("One attachment per post — remove the current one first.");
  await expect(page.getByTestId("upload-progress")).toHaveAttribute("data-phase", "uploading");
  await page.screenshot({ path: testInfo.outputPath("composer-mid-upload-375.png") });
  await page.getByRole("button", { name: "Remove" }).click();
  await expect(page.getByRole("button", { name: "choose a file", exact: true })).toBeFocused();
  await s3.setFaults([]);

  await page.setViewportSize({ width: 1000, height: 900 });
  // The worker's clip: 640 × 360, 3 s, made with WebCodecs for this run.
  await postClip(page, "Golden hour at the harbour", "sunset-clip.webm", clip);
  const post = postWith(page, "Golden hour at the harbour");
  await expect(post).toBeVisible();
  await expect(composerText(page)).toHaveValue("");
  await expect(composerText(page)).toBeFocused();

  // Before it plays: the poster frame (a real 640×360 image from S3) and the clip's length.
  const video = post.getByTestId("post-video");
  // (The 3-second clip lasts 2.97 s to the browser: the badge says 0:02, as the player's clock will.)
  await expect(post.getByTestId("post-duration")).toContainText("0:02");
  await expect(post.getByTestId("post-duration")).toContainText("Video, 2 seconds");
  const posterUrl = (await video.getAttribute("poster"))!;
  expect(new URL(posterUrl).origin).toBe(new URL(process.env.E2E_S3_URL!).origin);
  const posterSize = await page.evaluate(async (src) => {
    const image = new Image();
    image.src = src;
    await image.decode();
    return [image.naturalWidth, image.naturalHeight];
  }, posterUrl);
  expect(posterSize).toEqual([640, 360]);
  expect(await video.evaluate((v: HTMLVideoElement) => [v.paused, v.currentTime])).toEqual([true, 0]);
  const box = (await video.boundingBox())!;
  expect(box.width / box.height).toBeCloseTo(16 / 9, 1);

  // It plays, and the length badge makes way for the player's own clock.
  await video.evaluate((v: HTMLVideoElement) => {
    v.muted = true;
    return v.play();
  });
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThan(0.5);
  await expect(post.getByTestId("post-duration")).toHaveCount(0);
  const seeked = await video.evaluate(
    (v: HTMLVideoElement) =>
      new Promise<number>((resolve) => {
        v.pause();
        v.addEventListener("seeked", () => resolve(v.currentTime), { once: true });
        v.currentTime = 1.5;
      }),
  );
  expect(seeked).toBeCloseTo(1.5, 1);

  const [media] = await query<{
    s3_key: string;
    poster_s3_key: string;
    id: string;
    width: number;
    height: number;
    duration_seconds: number;
  }>(
    "select m.s3_key, m.poster_s3_key, m.width, m.height, m.duration_seconds, p.id from media m join posts p on p.id = m.post_id where p.text = $1",
    ["Golden hour at the harbour"],
  );
  expect(media).toMatchObject({ width: 640, height: 360 });
  expect(media!.duration_seconds).toBeCloseTo(3, 1);
  expect(await s3.objectSha256(media!.s3_key)).toBe(sha256Hex(clip));

  // No layout shift: the player's box has its final size before the video's first byte arrives.
  const videoKey = new URL(await video.getAttribute("src").then((src) => src!)).pathname;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(
    (url) => url.pathname === videoKey,
    async (route) => {
      await held;
      await route.continue();
    },
  );
  await page.reload();
  const before = await video.boundingBox();
  expect(await video.evaluate((v: HTMLVideoElement) => v.readyState)).toBe(0);
  release();
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState)).toBeGreaterThanOrEqual(1);
  expect(await video.boundingBox()).toEqual(before);
  await page.unrouteAll({ behavior: "wait" });

  // Someone else sees the post, without a delete control, and cannot delete it through the API.
  const other = await personPage(newContext, signIn, "viewer");
  const seen = postWith(other.page, "Golden hour at the harbour");
  await expect(seen).toBeVisible();
  await expect(seen.getByRole("button", { name: "Delete" })).toHaveCount(0);
  expect((await other.page.request.delete(`/api/posts/${media!.id}`)).status()).toBe(404);
  await other.close();

  // The author deletes it after confirming; the video and its poster leave storage.
  await post.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog", { name: "Delete this post?" }).getByRole("button", { name: "Delete post" }).click();
  await expect(post).toHaveCount(0);
  expect(await query("select id from posts where id = $1", [media!.id])).toEqual([]);
  await expect(s3.objectSha256(media!.s3_key)).rejects.toThrow();
  await expect(s3.objectSha256(media!.poster_s3_key)).rejects.toThrow();
});

test("a file with a valid MP4 header and garbage after it is refused before any part is sent", async ({
  page,
  signIn,
  query,
  s3,
}) => {
  await signIn("prober");
  await s3.resetStats();
  await page.getByLabel("Choose a file to attach").setInputFiles({
    name: "holiday.mp4",
    mimeType: "video/mp4",
    buffer: brokenMp4(3 * MiB),
  });
  await expect(page.getByRole("alert")).toHaveText(
    "“holiday.mp4” can't be played in a browser (an MP4 file whose codec or structure browsers cannot read). Try MP4 with H.264/AAC or WebM.",
  );
  const stats = await s3.stats();
  expect(stats.UploadPart?.requests ?? 0).toBe(0);
  expect(stats.CreateMultipartUpload?.requests ?? 0).toBe(0);
  expect(await query("select u.id from uploads u join users s on s.id = u.user_id where s.login = 'prober'")).toEqual(
    [],
  );
  // Only what can work is offered: another file. Nothing to cancel, no "same file" to continue with.
  await expect(page.getByRole("button", { name: "choose a file", exact: true })).toBeEnabled();
  await expect(page.getByRole("button", { name: /Cancel|Try again|Remove/ })).toHaveCount(0);
  await expect(page.getByText(/same file/)).toHaveCount(0);
  await expect(postButton(page)).toBeDisabled();
});

test("a failed upload offers only what can work: Retry when it can continue, another file when it was refused", async ({
  page,
  signIn,
  clip,
  consoleErrors,
}) => {
  // The app's refusals below are answered on purpose; Chromium logs each.
  consoleErrors.allow(/Failed to load resource: the server responded with a status of (403|422)/);
  await signIn("retrier");
  await composerText(page).fill("Second time lucky");

  // The app refuses to complete it once: the upload fails, and what arrived is kept for Retry.
  let refusals = 0;
  await page.route(/\/api\/uploads\/[^/]+\/complete$/, async (route) => {
    if (refusals > 0) return route.continue();
    refusals += 1;
    await route.fulfill({ status: 403, json: { error: { code: "forbidden", message: "Completing was refused." } } });
  });
  await dropFile(page.getByTestId("drop-zone"), { name: "retry.webm", mimeType: "video/webm", buffer: clip });
  await expect(page.getByTestId("upload-progress")).toHaveAttribute("data-phase", "failed", { timeout: 60_000 });
  await expect(page.getByTestId("post-reason")).toHaveText("The attachment failed to upload: retry or discard it.");
  await expect(page.getByRole("button", { name: "Cancel upload" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Discard" })).toBeVisible();
  await expect(page.getByTestId("drop-zone")).toHaveCount(0);
  await page.getByRole("button", { name: "Retry" }).click();
  await untilUploaded(page);
  await postButton(page).click();
  await expect(postWith(page, "Second time lucky")).toBeVisible();
  await page.unrouteAll({ behavior: "wait" });

  // The server refuses the content for good (422): Retry cannot help, so only another file or Discard.
  await page.route(/\/api\/uploads\/[^/]+\/complete$/, (route) =>
    route.fulfill({
      status: 422,
      json: { error: { code: "content_mismatch", message: "The file's content is not video/webm." } },
    }),
  );
  await dropFile(page.getByTestId("drop-zone"), { name: "refused.webm", mimeType: "video/webm", buffer: clip });
  await expect(page.getByTestId("upload-progress")).toHaveAttribute("data-phase", "failed", { timeout: 60_000 });
  await expect(page.getByTestId("upload-status")).toContainText("The file's content is not video/webm");
  await expect(page.getByTestId("post-reason")).toHaveText(
    "This attachment cannot be posted: discard it or choose another file.",
  );
  await expect(page.getByRole("button", { name: /Cancel upload|Retry|Try again/ })).toHaveCount(0);
  await expect(page.getByText(/same file/)).toHaveCount(0);
  await expect(page.getByTestId("drop-zone")).toContainText("This file cannot be posted; choose another one.");
  await page.getByRole("button", { name: "Discard" }).click();
  await expect(page.getByTestId("upload-progress")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "choose a file", exact: true })).toBeFocused();
});

test("a video needs no caption: the feed shows it alone (README screenshots at 375 and 1440 px)", async ({
  page,
  newContext,
  signIn,
  query,
  clip,
}, testInfo) => {
  // Three people: one writes, one posts a portrait clip without a word, one a landscape clip.
  const grace = await personPage(newContext, signIn, "grace-hopper");
  await query("update users set avatar_url = null where login = 'grace-hopper'");
  await composerText(grace.page).fill("Nanoseconds are about a foot long. Posting the wire later.");
  await postButton(grace.page).click();
  await expect(postWith(grace.page, "Nanoseconds")).toBeVisible();
  await grace.close();

  const ines = await personPage(newContext, signIn, "ines-park");
  await ines.page.setViewportSize({ width: 1000, height: 900 });
  await dropFile(ines.page.getByTestId("drop-zone"), {
    name: "tower.webm",
    mimeType: "video/webm",
    buffer: await makeClip(ines.page, { width: 360, height: 640 }),
  });
  await untilUploaded(ines.page);
  await expect(ines.page.getByTestId("post-reason")).toHaveText(
    "No caption needed: the attachment will be posted on its own.",
  );
  await postButton(ines.page).click();
  // Published (its poster uploaded first) before the page goes away.
  await expect(ines.page.getByTestId("post").filter({ has: ines.page.getByText("@ines-park") })).toBeVisible();
  await ines.close();

  await signIn("marta-silva");
  await postClip(page, "Golden hour at the harbour, from the ferry", "harbour.webm", clip);
  const captionless = page.getByTestId("post").filter({ has: page.getByText("@ines-park") });
  await expect(captionless.getByTestId("post-video")).toHaveAttribute("poster", /.+/);
  await expect(captionless.getByTestId("post-text")).toHaveCount(0);
  const [row] = await query<{ text: string }>(
    "select p.text from posts p join users u on u.id = p.author_id where u.login = 'ines-park'",
  );
  expect(row!.text).toBe("");

  const folder = process.env.UPDATE_README_SCREENSHOTS ? join("tests", "e2e", "screenshots") : testInfo.outputDir;
  mkdirSync(folder, { recursive: true });
  for (const [width, height] of [
    [1440, 1000],
    [375, 812],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.mouse.move(0, 0);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.screenshot({ path: join(folder, `feed-${width}.png`), fullPage: true });
  }
});
