import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page, Request } from "@playwright/test";
import { expect, test } from "./fixtures.js";
import {
  MiB,
  choose,
  expectHonestStatus,
  expectUploaded,
  latestUpload,
  offlineMidUpload,
  percent,
  recordStatusLines,
  status,
  statusLines,
} from "./upload-helpers.js";

/** The part a presigned UploadPart URL is for, or null for any other request. */
function partOf(request: Request): number | null {
  const url = new URL(request.url());
  return request.method() === "PUT" && url.searchParams.has("uploadId")
    ? Number(url.searchParams.get("partNumber"))
    : null;
}

/** Which parts each sign call asked for, and every part PUT, as the page sent them. */
function watchRequests(page: Page) {
  const seen = { signed: [] as number[][], puts: [] as number[] };
  page.on("request", (request) => {
    if (request.method() === "POST" && /\/api\/uploads\/[^/]+\/parts$/.test(request.url()))
      seen.signed.push(
        (request.postDataJSON() as { parts: Array<{ partNumber: number }> }).parts.map((p) => p.partNumber),
      );
    const part = partOf(request);
    if (part !== null) seen.puts.push(part);
  });
  return seen;
}

const openDetails = (page: Page) => page.getByRole("button", { name: "Details" }).click();

test.describe("an upload gets over what storage and the app throw at it, by itself", () => {
  for (const times of [1, 3]) {
    test(`a part refused with 403 ${times === 1 ? "once" : "three times"} is re-signed and completes`, async ({
      page,
      signIn,
      query,
      s3,
      videoFile,
    }) => {
      const file = videoFile(12);
      const login = `recover-403-${times}`;
      await s3.setFaults([
        { op: "UploadPart", partNumbers: [2], fault: "status", status: 403, code: "AccessDenied", times },
      ]);
      const seen = watchRequests(page);
      await signIn(login);
      await choose(page, file);
      await expectUploaded(page, query, s3, file, login);
      expect((await s3.stats()).UploadPart?.faults).toBe(times);
      expect(seen.puts.filter((n) => n === 2)).toHaveLength(times + 1);
      // Every attempt after a refusal went out with a freshly signed URL.
      expect(seen.signed.filter((parts) => parts.includes(2)).length).toBeGreaterThanOrEqual(times + 1);
      await openDetails(page);
      await expect(page.getByRole("list", { name: "Attempts" })).toContainText(
        "upload link refused (403 AccessDenied)",
      );
    });
  }

  test("a part that stalls is cut within the stall timeout, shown as stalled meanwhile, and completes", async ({
    page,
    signIn,
    query,
    s3,
    videoFile,
  }) => {
    const file = videoFile(12);
    await recordStatusLines(page);
    await s3.setFaults([{ op: "UploadPart", partNumbers: [2], fault: "stall", times: 1 }]);
    // When part 2's request went out and when the uploader cut it, as the browser saw them: the page's own
    // start-up (signing, hashing) on a loaded machine is not part of the stall timeout.
    const isPart2 = (r: Request) => r.method() === "PUT" && /[?&]partNumber=2(&|$)/.test(r.url());
    const part2 = { startedAt: 0, cutAt: 0 };
    page.on("request", (r) => void (isPart2(r) && !part2.startedAt && (part2.startedAt = Date.now())));
    page.on("requestfailed", (r) => void (isPart2(r) && !part2.cutAt && (part2.cutAt = Date.now())));
    await signIn("recover-stall");
    await choose(page, file);
    await openDetails(page);
    const square = page.locator('[aria-label="Parts"] [data-part="2"]');
    await expect(square).toHaveAttribute("data-phase", "stalled", { timeout: 20_000 });
    await expect(page.getByRole("list", { name: "Attempts" })).toContainText(
      /Part 2 attempt 1 failed after \d+(\.\d)? s \([^)]*\): no progress \(stalled\)/,
      { timeout: 30_000 },
    );
    await expect.poll(() => part2.cutAt).toBeGreaterThan(0);
    const detectedAfter = part2.cutAt - part2.startedAt;
    // The app's stall timeout is the default 20 s; the retry comes then, not at some later timeout.
    expect(detectedAfter).toBeLessThan(20_000 + 5_000);
    expect(detectedAfter).toBeGreaterThanOrEqual(19_000);
    await expectUploaded(page, query, s3, file, "recover-stall");
    expect((await s3.stats()).UploadPart?.faults).toBe(1);
    expectHonestStatus(await statusLines(page));
  });

  test("storage answering 500 until the part's attempts are spent: the upload waits, probes, and completes", async ({
    page,
    signIn,
    query,
    s3,
    videoFile,
  }) => {
    const file = videoFile(12);
    await recordStatusLines(page);
    // The suite's app gives a part 4 attempts: all of them fail, and storage keeps answering 500 (to the
    // waiting phase's probes too) until the test has seen the upload wait; then storage recovers.
    await s3.setFaults([{ op: "UploadPart", partNumbers: [1], fault: "status", status: 500 }]);
    await signIn("recover-500");
    await choose(page, file);
    await expect(status(page)).toHaveText(/^Can't reach storage — trying again in \d+ s$/);
    await expect(page.getByRole("button", { name: "Try now" })).toBeVisible();
    expect((await s3.stats()).UploadPart?.faults).toBeGreaterThanOrEqual(4);
    await s3.setFaults([]);
    await expectUploaded(page, query, s3, file, "recover-500");
    const lines = await statusLines(page);
    expect(lines.some((line) => line.endsWith("waiting for storage"))).toBe(true);
    expectHonestStatus(lines);
  });

  test("the browser offline for 120 s: the upload waits and completes when the connection is back", async ({
    page,
    context,
    signIn,
    query,
    s3,
    videoFile,
  }) => {
    test.setTimeout(300_000);
    const file = videoFile(24);
    await recordStatusLines(page);
    await s3.setFaults([{ op: "UploadPart", fault: "throttle", bytesPerSecond: MiB }]);
    await signIn("recover-offline");
    await choose(page, file);
    await offlineMidUpload(page, context, 120_000);
    await s3.setFaults([]);
    await expectUploaded(page, query, s3, file, "recover-offline");
    expectHonestStatus(await statusLines(page));
  });

  test("the app refusing to sign fails the upload, naming the part; Retry completes it without choosing the file again", async ({
    page,
    signIn,
    query,
    s3,
    videoFile,
    consoleErrors,
  }) => {
    // The refused signing is logged by the browser: the test's one expected console error.
    consoleErrors.allow(/status of 403 \(Forbidden\) \[.*\/api\/uploads\/[^/]+\/parts\]/);
    const file = videoFile(24);
    const login = "recover-refused";
    // The app refuses the first signing of part 5 after a part was stored. Storage refuses part 5's first
    // PUT, so part 5 is signed again then, whether or not it was signed ahead with the first parts (other
    // parts whose short-lived URLs expired on a slow machine may be in the same call).
    await s3.setFaults([{ op: "UploadPart", partNumbers: [5], fault: "status", status: 403, times: 1 }]);
    let stored = false;
    let refused: number[] | null = null;
    page.on("response", (r) => void (partOf(r.request()) !== null && r.status() === 200 && (stored = true)));
    await page.route(/\/api\/uploads\/[^/]+\/parts$/, async (route) => {
      // Signing is POST; the same URL takes PUTs that record stored parts, which go through.
      if (route.request().method() !== "POST") return route.continue();
      const parts = (route.request().postDataJSON() as { parts: Array<{ partNumber: number }> }).parts;
      const numbers = parts.map((p) => p.partNumber);
      if (!stored || refused || !numbers.includes(5)) return route.continue();
      refused = numbers;
      await route.fulfill({ status: 403, json: { error: { code: "forbidden", message: "Signing was refused." } } });
    });
    const seen = watchRequests(page);
    let chooserOpened = false;
    page.on("filechooser", () => (chooserOpened = true));
    await signIn(login);
    await choose(page, file);
    // A 24 MiB upload on the suite's shared machine can take longer than one default expect timeout.
    await expect(status(page)).toHaveText("Failed: Signing was refused.", { timeout: 60_000 });
    await openDetails(page);
    const failing = await page.getByTestId("failing-part").textContent();
    expect(failing).toMatch(/^Part \d+: Signing was refused\. — failed$/);
    expect(refused).toContain(Number(/^Part (\d+)/.exec(failing!)![1]));
    await expect(page.locator('[aria-label="Parts"] [data-phase="uploading"]')).toHaveCount(0);
    // The parts stored before the failure are in the ledger (recorded even though the run failed).
    const recorded = (
      await query<{ part_number: number }>("select part_number from upload_parts where upload_id = $1", [
        (await latestUpload(query, login))!.id,
      ])
    ).map((p) => p.part_number);
    expect(recorded.length).toBeGreaterThan(0);
    const putsBefore = seen.puts.length;

    await page.getByRole("button", { name: "Retry" }).click();
    await expectUploaded(page, query, s3, file, login);
    expect(refused).not.toBeNull();
    expect(chooserOpened).toBe(false);
    // Only what was missing went again.
    expect(seen.puts.slice(putsBefore).filter((n) => recorded.includes(n))).toEqual([]);
    const [count] = await query<{ n: number }>(
      "select count(*)::int as n from uploads u join users s on s.id = u.user_id where s.login = $1",
      [login],
    );
    expect(count!.n).toBe(1);
  });

  test("a session that expires mid-upload pauses it until the person signs in again in another tab", async ({
    page,
    context,
    signIn,
    query,
    s3,
    videoFile,
    consoleErrors,
  }) => {
    // The API calls answered 401 while signed out are logged by the browser: expected here.
    consoleErrors.allow(/status of 401 \(Unauthorized\)/);
    const file = videoFile(24);
    await s3.setFaults([{ op: "UploadPart", fault: "throttle", bytesPerSecond: MiB }]);
    await signIn("recover-session");
    await choose(page, file);
    await expect.poll(() => percent(page)).toBeGreaterThan(0);
    await context.clearCookies(); // the session is gone: the next API call answers 401
    await expect(status(page)).toHaveText("Signed out — sign in again to continue", { timeout: 30_000 });
    await s3.setFaults([]);
    const [signInTab] = await Promise.all([
      context.waitForEvent("page"),
      page.getByRole("link", { name: "Sign in again" }).click(),
    ]);
    await signIn("recover-session", signInTab);
    await expectUploaded(page, query, s3, file, "recover-session");
  });

  test("a renamed .exe is refused before any byte is uploaded", async ({ page, signIn, query, s3 }) => {
    const path = join("test-results", "files", "setup.mp4");
    const exe = Buffer.alloc(6 * MiB, 0x90);
    exe.write("MZ", 0, "latin1");
    writeFileSync(path, exe);
    await signIn("recover-exe");
    await page.getByLabel("Choose a file to attach").setInputFiles(path);
    await expect(page.getByRole("alert")).toHaveText(
      "“setup.mp4” is named as MP4 but its content is another kind of file, so it cannot be shared. Choose the video itself.",
    );
    await expect(page.getByRole("progressbar")).toHaveCount(0);
    const stats = await s3.stats();
    expect(stats.UploadPart?.requests ?? 0).toBe(0);
    expect(stats.CreateMultipartUpload?.requests ?? 0).toBe(0);
    expect(await latestUpload(query, "recover-exe")).toBeUndefined();
  });
});
