import type { Locator, Page } from "@playwright/test";
import { expect, test } from "./fixtures.js";
import { untilUploaded } from "./upload-helpers.js";

const postButton = (page: Page) => page.getByRole("button", { name: "Post", exact: true });
const composerText = (page: Page) => page.getByLabel("What do you want to share?");

/** Presses Tab until `target` has focus (as a keyboard user would), failing after `max` presses. */
async function tabTo(page: Page, target: Locator, max = 40): Promise<void> {
  for (let i = 0; i < max; i += 1) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  await expect(target).toBeFocused();
}

test("keyboard only: write, attach, post, and delete with Enter and Escape, focus going where it should", async ({
  page,
  signIn,
  clip,
}) => {
  // Chromium's own picker (showOpenFilePicker, which keeps a file handle) is a native dialog Playwright
  // cannot answer; without it the page falls back to <input type=file>, as in Firefox and Safari.
  await page.addInitScript(() => {
    delete (Window.prototype as { showOpenFilePicker?: unknown }).showOpenFilePicker;
    delete (window as { showOpenFilePicker?: unknown }).showOpenFilePicker;
  });
  await signIn("keyboard-user");
  await tabTo(page, composerText(page));
  await page.keyboard.type("Typed, attached and posted without a mouse");

  await tabTo(page, page.getByRole("button", { name: "choose a file", exact: true }));
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.keyboard.press("Enter")]);
  await chooser.setFiles({ name: "keys.webm", mimeType: "video/webm", buffer: clip });
  // The button that had focus is gone: focus moves to the attachment, not to the page's start.
  await expect(page.getByLabel("Attachment: keys.webm")).toBeFocused();
  await untilUploaded(page);

  await tabTo(page, postButton(page));
  await page.keyboard.press("Enter");
  const post = page.getByTestId("post").filter({ hasText: "Typed, attached and posted without a mouse" });
  await expect(post).toBeVisible();
  await expect(composerText(page)).toBeFocused();

  const remove = post.getByRole("button", { name: "Delete" });
  await tabTo(page, remove);
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Delete this post?" });
  const keep = dialog.getByRole("button", { name: "Keep" });
  const confirm = dialog.getByRole("button", { name: "Delete post" });
  await expect(keep).toBeFocused();
  // Focus stays in the dialog, both ways round.
  for (const [key, expected] of [
    ["Tab", confirm],
    ["Tab", keep],
    ["Shift+Tab", confirm],
    ["Shift+Tab", keep],
  ] as const) {
    await page.keyboard.press(key);
    await expect(expected).toBeFocused();
  }
  // Escape keeps the post and gives focus back to its Delete button.
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(remove).toBeFocused();
  await expect(post).toBeVisible();

  // Escape and Enter at once (a quick hand): the dialog opens again, whatever the page had left to do.
  for (let i = 0; i < 5; i += 1) {
    await page.keyboard.press("Enter");
    await expect(keep).toBeFocused();
    await page.keyboard.press("Escape");
  }
  await expect(remove).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(keep).toBeFocused();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await expect(post).toHaveCount(0);
  // Focus lands in the feed (on the post that took its place, or the feed itself), not on <body>.
  expect(await page.evaluate(() => document.activeElement?.closest('[aria-label="Feed"]') !== null)).toBe(true);
});

test("emoji are counted alike by the page and the server: 2,000 🎉 fit, 2,001 are 1 character over", async ({
  page,
  signIn,
  query,
}) => {
  await signIn("emoji-user");
  const party = "🎉".repeat(2000); // 4,000 UTF-16 units
  const count = page.getByTestId("character-count");
  await composerText(page).fill(party);
  await expect(count).toHaveText("2000 / 2000");
  await expect(postButton(page)).toBeEnabled();

  await composerText(page).press("End");
  await page.keyboard.type("🎉");
  await expect(count).toHaveText("2001 / 2000");
  await expect(page.getByTestId("post-reason")).toHaveText("1 character over the limit");
  await expect(postButton(page)).toBeDisabled();
  await expect(postButton(page)).toHaveAccessibleDescription("1 character over the limit");
  // The server refuses the same text for the same reason.
  const refused = await page.request.post("/api/posts", { data: { text: `${party}🎉` } });
  expect(refused.status()).toBe(400);
  expect(((await refused.json()) as { error: { message: string } }).error.message).toBe("1 character over the limit");

  await page.keyboard.press("Backspace");
  await expect(count).toHaveText("2000 / 2000");
  await postButton(page).click();
  await expect(page.getByTestId("post").filter({ hasText: "🎉🎉🎉" })).toBeVisible();
  const [row] = await query<{ chars: number; units: number }>(
    "select char_length(p.text) as chars, octet_length(p.text) as units from posts p join users u on u.id = p.author_id where u.login = 'emoji-user'",
  );
  expect(row).toEqual({ chars: 2000, units: 8000 });
});
