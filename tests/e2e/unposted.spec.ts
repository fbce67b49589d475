import { expect, test, type LocalS3Control } from "./fixtures.js";
import { attachAndWait, choose, latestUpload, untilUploaded } from "./upload-helpers.js";

/** The name the suite gives its 6 MiB test video (a real WebM clip). */
const VIDEO_NAME = "video-6mib.webm";

const PHOTO = "tests/fixtures/images/photo.png";

/** Whether storage still holds the object at `key`. */
const stored = (s3: LocalS3Control, key: string) =>
  s3.objectSha256(key).then(
    () => true,
    () => false,
  );

test.describe("uploads no post uses", () => {
  test("removing a finished attachment in the composer deletes it from storage at once", async ({
    page,
    signIn,
    query,
    s3,
    videoFile,
  }) => {
    const file = videoFile(6);
    await signIn("remover-e2e");
    await choose(page, file);
    await untilUploaded(page);
    const upload = (await latestUpload(query, "remover-e2e"))!;
    expect(upload.status).toBe("completed");
    expect(await stored(s3, upload.s3_key)).toBe(true);

    await page.getByRole("button", { name: "Remove" }).click();
    await expect(page.getByLabel("Choose a file to attach")).toBeAttached();
    await expect(page.getByTestId("attachment-preview")).toHaveCount(0);
    await expect.poll(async () => (await latestUpload(query, "remover-e2e"))!.status).toBe("deleted");
    expect(await stored(s3, upload.s3_key)).toBe(false);
    await expect(page.getByRole("alert")).toHaveCount(0);
    // Nothing is left to list: the home page has no notice, the list page is empty.
    await page.reload();
    await expect(page.getByTestId("unposted-notice")).toHaveCount(0);
    await page.goto("/uploads");
    await expect(page.getByText("Nothing waiting.")).toBeVisible();
  });

  test("a person sees their unposted uploads and deletes one after confirming", async ({
    page,
    signIn,
    query,
    s3,
    videoFile,
    newContext,
  }, testInfo) => {
    const video = videoFile(6);
    await signIn("lister-e2e");
    await attachAndWait(page, video.path);
    const videoRow = (await latestUpload(query, "lister-e2e"))!;
    await page.reload();
    await attachAndWait(page, PHOTO);
    await page.reload();

    // The home page says so and leads to the list; so does the account menu.
    await expect(page.getByTestId("unposted-notice")).toHaveText(/2 finished uploads \(6 MiB\) are in no post/);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.screenshot({ path: testInfo.outputPath("home-notice-1440.png") });
    await page.getByRole("link", { name: "Review unposted uploads" }).click();
    await page.waitForURL("**/uploads");
    await expect(page.getByRole("heading", { level: 1, name: "Unposted uploads" })).toBeVisible();
    const rows = page.getByTestId("unposted-row");
    await expect(rows).toHaveCount(2);
    await expect(rows.nth(0)).toContainText("photo.png");
    await expect(rows.nth(0)).toContainText(/finished (just now|\d+ minutes? ago)/);
    await expect(rows.nth(0)).toContainText("Deleted by itself in 24 hours unless posted");
    await expect(rows.nth(0).locator("img")).toHaveJSProperty("complete", true);
    expect(
      await rows
        .nth(0)
        .locator("img")
        .evaluate((img: HTMLImageElement) => img.naturalWidth),
    ).toBe(40);
    await expect(rows.nth(1)).toContainText(VIDEO_NAME);
    await expect(rows.nth(1)).toContainText("6 MiB");
    await page.screenshot({ path: testInfo.outputPath("unposted-1440.png") });

    // Cancel (and Escape) keep it; focus goes back to its Delete button.
    const deleteVideo = page.getByRole("button", { name: `Delete ${VIDEO_NAME}` });
    await deleteVideo.click();
    const dialog = page.getByRole("dialog", { name: `Delete “${VIDEO_NAME}”?` });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
    await page.screenshot({ path: testInfo.outputPath("unposted-dialog-1440.png") });
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(deleteVideo).toBeFocused();
    await deleteVideo.click();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(rows).toHaveCount(2);
    expect(await stored(s3, videoRow.s3_key)).toBe(true);

    // Confirmed: the row goes, storage forgets the file, the ledger marks it.
    await deleteVideo.click();
    await dialog.getByRole("button", { name: "Delete", exact: true }).click();
    await expect(rows).toHaveCount(1);
    await expect(page.getByRole("status").filter({ hasText: `Deleted “${VIDEO_NAME}”.` })).toBeAttached();
    await expect(page.getByRole("button", { name: "Delete photo.png" })).toBeFocused();
    const [marked] = await query<{ status: string }>("select status from uploads where id = $1", [videoRow.id]);
    expect(marked!.status).toBe("deleted");
    expect(await stored(s3, videoRow.s3_key)).toBe(false);

    // At phone width the row still shows its name, size and Delete without scrolling sideways.
    const phone = await (await newContext({ viewport: { width: 375, height: 740 } })).newPage();
    await signIn("lister-e2e", phone);
    await expect(phone.getByTestId("unposted-notice")).toHaveText(/1 finished upload \(1.4 KiB\) is in no post/);
    await phone.screenshot({ path: testInfo.outputPath("home-notice-375.png") });
    await phone.goto("/uploads");
    await expect(phone.getByTestId("unposted-row")).toHaveCount(1);
    await expect(phone.getByRole("button", { name: "Delete photo.png" })).toBeInViewport();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await phone.screenshot({ path: testInfo.outputPath("unposted-375.png") });
    await phone.getByRole("button", { name: "Delete photo.png" }).click();
    await phone.screenshot({ path: testInfo.outputPath("unposted-dialog-375.png") });
    await phone.getByRole("dialog").getByRole("button", { name: "Delete", exact: true }).click();
    await expect(phone.getByText("Nothing waiting.")).toBeVisible();
    await phone.screenshot({ path: testInfo.outputPath("unposted-empty-375.png") });
  });

  test("someone else's upload cannot be deleted through the API: 404, and it stays", async ({
    page,
    signIn,
    query,
    s3,
    videoFile,
    newContext,
    consoleErrors,
  }) => {
    // The other person's refused DELETE is logged by their browser: the one expected console error.
    consoleErrors.allow(/Failed to load resource: the server responded with a status of 404/);
    await signIn("owner-e2e");
    await attachAndWait(page, videoFile(6).path);
    const owned = (await latestUpload(query, "owner-e2e"))!;
    const other = await (await newContext()).newPage();
    await signIn("stranger-e2e", other);
    const status = await other.evaluate(
      async (id) => (await fetch(`/api/uploads/${id}`, { method: "DELETE" })).status,
      owned.id,
    );
    expect(status).toBe(404);
    expect(await stored(s3, owned.s3_key)).toBe(true);
    expect((await latestUpload(query, "owner-e2e"))!.status).toBe("completed");
  });
});
