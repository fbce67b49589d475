import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures.js";

const require = createRequire(import.meta.url);
const MiB = 1024 * 1024;

/**
 * Makes a real, seekable 3-second WebM clip in the page (WebCodecs VP8 + webm-muxer, which writes
 * Duration and Cues), drops it on the composer as a person would, and returns its SHA-256.
 */
async function dropGeneratedClip(page: Page): Promise<string> {
  // The package exports only its ESM entry; its browser build sits beside it. Evaluated rather than
  // added as a script tag, which the page's Content-Security-Policy (rightly) refuses.
  const muxer = readFileSync(join(dirname(require.resolve("webm-muxer")), "webm-muxer.js"), "utf8");
  await page.evaluate(`${muxer}\nwindow.WebMMuxer = WebMMuxer;`);
  return page.evaluate(async () => {
    const { Muxer, ArrayBufferTarget } = (window as unknown as { WebMMuxer: typeof import("webm-muxer") }).WebMMuxer;
    const width = 320;
    const height = 180;
    const fps = 30;
    const muxer = new Muxer({
      target: new ArrayBufferTarget(),
      video: { codec: "V_VP8", width, height, frameRate: fps },
    });
    const encoder = new VideoEncoder({
      output: (chunk, meta) => muxer.addVideoChunk(chunk, meta),
      error: (e) => console.error(e),
    });
    encoder.configure({ codec: "vp8", width, height, bitrate: 400_000, framerate: fps });
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext("2d")!;
    for (let i = 0; i < fps * 3; i += 1) {
      ctx.fillStyle = `hsl(${(i * 4) % 360} 70% 45%)`;
      ctx.fillRect(0, 0, width, height);
      ctx.fillStyle = "white";
      ctx.font = "bold 48px sans-serif";
      ctx.fillText(`${(i / fps).toFixed(1)} s`, 90, 110);
      const frame = new VideoFrame(canvas, { timestamp: Math.round((i * 1e6) / fps), duration: Math.round(1e6 / fps) });
      encoder.encode(frame, { keyFrame: i % fps === 0 });
      frame.close();
    }
    await encoder.flush();
    muxer.finalize();
    const bytes = muxer.target.buffer;
    const file = new File([bytes], "sunset-clip.webm", { type: "video/webm", lastModified: Date.now() });
    const transfer = new DataTransfer();
    transfer.items.add(file);
    const zone = document.querySelector('[data-testid="drop-zone"]')!;
    zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
  });
}

test("write a post with a video, see it play and seek, let others see it, delete it", async ({
  page,
  newContext,
  signIn,
  query,
  s3,
  videoFile,
}, testInfo) => {
  await signIn("poster");
  await page.setViewportSize({ width: 1000, height: 900 });
  const postButton = page.getByRole("button", { name: "Post", exact: true });
  await expect(postButton).toBeDisabled();

  // The composer mid-upload, for the screenshot: a large file, throttled.
  await s3.setFaults([{ op: "UploadPart", fault: "throttle", bytesPerSecond: 1 * MiB }]);
  await page.getByLabel("What do you want to share?").fill("Uploading a long one…");
  await page.getByLabel("Choose a file to attach").setInputFiles(videoFile(64).path);
  await expect
    .poll(async () => Number(await page.getByRole("progressbar").getAttribute("aria-valuenow")))
    .toBeGreaterThan(10);
  await expect(postButton).toBeDisabled();
  await page.screenshot({ path: testInfo.outputPath("composer-mid-upload.png") });
  await page.getByRole("button", { name: "Remove" }).click();
  await s3.setFaults([]);

  await page.getByLabel("What do you want to share?").fill("Golden hour at the harbour");
  await expect(page.getByTestId("character-count")).toHaveText("26 / 2000");
  const sha256 = await dropGeneratedClip(page);
  await expect(page.getByTestId("upload-progress")).toHaveAttribute("data-phase", "done");
  await expect(postButton).toBeEnabled();
  await postButton.click();

  const post = page.getByTestId("post").filter({ hasText: "Golden hour at the harbour" });
  await expect(post).toBeVisible();
  await expect(page.getByLabel("What do you want to share?")).toHaveValue("");
  const video = post.getByTestId("post-video");
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.duration)).toBeGreaterThan(2.5);
  const seeked = await video.evaluate(
    (v: HTMLVideoElement) =>
      new Promise<number>((resolve) => {
        v.addEventListener("seeked", () => resolve(v.currentTime), { once: true });
        v.currentTime = 1.5;
      }),
  );
  expect(seeked).toBeCloseTo(1.5, 1);
  const [media] = await query<{ s3_key: string; id: string }>(
    "select m.s3_key, p.id from media m join posts p on p.id = m.post_id where p.text = $1",
    ["Golden hour at the harbour"],
  );
  expect(await s3.objectSha256(media!.s3_key)).toBe(sha256);
  await page.screenshot({ path: testInfo.outputPath("feed.png"), fullPage: true });

  // Someone else sees the post, without a delete control, and cannot delete it through the API.
  const otherContext = await newContext();
  const other = await otherContext.newPage();
  await signIn("viewer", other);
  const seen = other.getByTestId("post").filter({ hasText: "Golden hour at the harbour" });
  await expect(seen).toBeVisible();
  await expect(seen.getByRole("button", { name: "Delete" })).toHaveCount(0);
  const refused = await other.request.delete(`/api/posts/${media!.id}`);
  expect(refused.status()).toBe(404);
  await page.setViewportSize({ width: 390, height: 844 });
  await other.setViewportSize({ width: 390, height: 844 });
  await other.screenshot({ path: testInfo.outputPath("feed-phone.png") });
  await otherContext.close();

  // The author deletes it after confirming.
  await post.getByRole("button", { name: "Delete" }).click();
  await post.getByRole("button", { name: "Delete post" }).click();
  await expect(post).toHaveCount(0);
  expect(await query("select id from posts where id = $1", [media!.id])).toEqual([]);
  await expect(s3.objectSha256(media!.s3_key)).rejects.toThrow();
});
