import type { Page } from "@playwright/test";
import { basename } from "node:path";
import { expect, test, type TestFile } from "./fixtures.js";
import { MiB, choose, expectUploaded, percent, status } from "./upload-helpers.js";

const caption = (page: Page) => page.getByLabel("What do you want to share?");

declare global {
  interface Window {
    showOpenFilePicker?: () => Promise<FileSystemFileHandle[]>;
  }
}

/**
 * Chromium's file picker cannot be driven from a test, so the page's `showOpenFilePicker` hands out a
 * real FileSystemFileHandle from the origin-private file system instead: the same code path the
 * picker feeds. Calls are counted in sessionStorage, which a reload keeps.
 */
async function pickerFromPrivateFileSystem(page: Page, file: TestFile) {
  await page.addInitScript((name) => {
    window.showOpenFilePicker = async () => {
      sessionStorage.setItem("pickerCalls", String(Number(sessionStorage.getItem("pickerCalls") ?? 0) + 1));
      const root = await navigator.storage.getDirectory();
      return [await root.getFileHandle(name)];
    };
  }, basename(file.path));
}

/** Copies the test file into the page's origin-private file system (through a file input, as the bytes must get in). */
async function copyIntoPrivateFileSystem(page: Page, file: TestFile) {
  await page.evaluate(() => {
    const input = Object.assign(document.createElement("input"), { type: "file", id: "opfs-source" });
    document.body.append(input);
  });
  await page.setInputFiles("#opfs-source", file.path);
  await page.evaluate(async () => {
    const input = document.querySelector<HTMLInputElement>("#opfs-source")!;
    const source = input.files![0]!;
    const root = await navigator.storage.getDirectory();
    const writable = await (await root.getFileHandle(source.name, { create: true })).createWritable();
    await writable.write(source);
    await writable.close();
    input.remove();
  });
}

test.describe("resuming without hunting for the file", () => {
  test("after a reload, Continue resumes with the kept file handle (no file dialog) and the caption comes back", async ({
    page,
    signIn,
    query,
    s3,
    videoFile,
  }) => {
    const file = videoFile(16);
    const login = "resume-handle";
    await pickerFromPrivateFileSystem(page, file);
    await signIn(login);
    await copyIntoPrivateFileSystem(page, file);
    await caption(page).click();
    await caption(page).fill("Sunset over the bay");
    await s3.setFaults([{ op: "UploadPart", fault: "throttle", bytesPerSecond: MiB }]);
    await page.getByRole("button", { name: "choose a file", exact: true }).click();
    await expect.poll(() => percent(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(30);
    page.once("dialog", (dialog) => void dialog.accept()); // "Leave site?": yes
    await page.reload();

    let chooserOpened = false;
    page.on("filechooser", () => (chooserOpened = true));
    const unfinished = page.getByTestId("unfinished-uploads");
    await expect(unfinished).toContainText(basename(file.path));
    await expect(unfinished.getByRole("heading")).toHaveText("Unfinished uploads");
    await expect(caption(page)).toHaveValue("");
    await s3.setFaults([]);
    await unfinished.getByRole("button", { name: "Continue", exact: true }).click();
    await expect(caption(page)).toHaveValue("Sunset over the bay");
    await expectUploaded(page, query, s3, file, login);
    expect(chooserOpened).toBe(false);
    expect(await page.evaluate(() => sessionStorage.getItem("pickerCalls"))).toBe("1");
    const [count] = await query<{ n: number }>(
      "select count(*)::int as n from uploads u join users s on s.id = u.user_id where s.login = $1",
      [login],
    );
    expect(count!.n).toBe(1);
  });
});

test.describe("an upload open in two tabs", () => {
  test("the second tab's 'uploading in another tab' banner clears when the first finishes", async ({
    page,
    context,
    signIn,
    query,
    s3,
    videoFile,
  }) => {
    const file = videoFile(24);
    // About 20 s of uploading: the second tab opens and chooses the file meanwhile.
    await s3.setFaults([{ op: "UploadPart", fault: "throttle", bytesPerSecond: MiB / 2 }]);
    await signIn("tabs-finish");
    await choose(page, file);
    await expect.poll(() => percent(page)).toBeGreaterThan(0);
    const second = await context.newPage();
    await second.goto("/");
    await choose(second, file);
    await expect(status(second)).toHaveText(/^Uploading in another tab — \d+%$/);
    await s3.setFaults([]);
    await expectUploaded(page, query, s3, file, "tabs-finish");
    await expect(status(second)).toHaveText("Uploaded");
    await expect(second.getByText(/in another tab/)).toHaveCount(0);
  });

  test("when the tab uploading it closes, the other offers to continue there, and does", async ({
    page,
    context,
    signIn,
    query,
    s3,
    videoFile,
  }) => {
    const file = videoFile(16);
    await s3.setFaults([{ op: "UploadPart", fault: "throttle", bytesPerSecond: MiB }]);
    await signIn("tabs-closed");
    const second = await context.newPage();
    await second.goto("/");
    await choose(page, file);
    await expect.poll(() => percent(page)).toBeGreaterThan(0);
    await choose(second, file);
    await expect(status(second)).toHaveText(/^Uploading in another tab/);
    await page.close();
    await expect(status(second)).toHaveText("The other tab stopped uploading");
    await s3.setFaults([]);
    await second.getByRole("button", { name: "Continue here" }).click();
    await expectUploaded(second, query, s3, file, "tabs-closed");
  });
});

test.describe("leaving the page", () => {
  test("asks for confirmation while an upload runs, and only then", async ({
    page,
    context,
    signIn,
    s3,
    videoFile,
    query,
  }) => {
    const file = videoFile(16);
    const dialogs: string[] = [];
    const watch = (p: Page) => p.on("dialog", (dialog) => void (dialogs.push(dialog.type()), dialog.dismiss()));
    await signIn("leave-confirm");
    // Browsers ask only on pages the person interacted with: a click on the caption counts.
    const idle = await context.newPage();
    watch(idle);
    await idle.goto("/");
    await caption(idle).click();
    await idle.close({ runBeforeUnload: true });
    await expect.poll(() => idle.isClosed()).toBe(true);
    expect(dialogs).toEqual([]);

    watch(page);
    await caption(page).click();
    await s3.setFaults([{ op: "UploadPart", fault: "throttle", bytesPerSecond: 2 * MiB }]);
    await choose(page, file);
    await expect.poll(() => percent(page)).toBeGreaterThan(0);
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => dialogs).toEqual(["beforeunload"]);
    // Dismissed: the page stays, and the upload goes on.
    expect(page.isClosed()).toBe(false);
    await s3.setFaults([]);
    await expectUploaded(page, query, s3, file, "leave-confirm");
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => page.isClosed()).toBe(true);
    expect(dialogs).toEqual(["beforeunload"]);
  });
});
