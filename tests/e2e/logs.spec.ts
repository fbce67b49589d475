import { readFileSync } from "node:fs";
import { E2E_PART_MIB } from "../support/e2e-settings.js";
import { expect, test } from "./fixtures.js";
import { untilUploaded } from "./upload-helpers.js";

type LogLine = Record<string, unknown> & { level: string; msg: string };

/** The app's log so far (JSON lines; anything else it printed is skipped). */
function appLog(): LogLine[] {
  return readFileSync(process.env.E2E_APP_LOG!, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine);
}

const linesFor = (reqId: string) => appLog().filter((line) => line.reqId === reqId);

test.describe("the app's log", () => {
  test("has one line per request with its route pattern, status, duration, request id and user", async ({
    page,
    signIn,
    query,
  }) => {
    await signIn("log-reader");
    const [user] = await query<{ id: string }>("select id from users where login = $1", ["log-reader"]);
    const reqId = `e2e-${Date.now()}`;
    const response = await page.request.get("/api/uploads/00000000-0000-4000-8000-000000000000", {
      headers: { "X-Request-Id": reqId },
    });
    expect(response.status()).toBe(404);
    expect(response.headers()["x-request-id"]).toBe(reqId);

    await expect.poll(() => linesFor(reqId).length).toBe(1);
    expect(linesFor(reqId)[0]).toMatchObject({
      level: "info",
      method: "GET",
      route: "/api/uploads/:id",
      path: "/api/uploads/00000000-0000-4000-8000-000000000000",
      status: 404,
      userId: user!.id,
      durationMs: expect.any(Number),
    });
  });

  test("does not log a page that does not exist as an error", async ({ page }) => {
    const reqId = `e2e-missing-${Date.now()}`;
    const response = await page.request.get("/no-such-page", {
      headers: { "X-Request-Id": reqId, Accept: "text/html" },
    });
    expect(response.status()).toBe(404);
    expect(await response.text()).toContain("<html");
    await expect.poll(() => linesFor(reqId).length).toBeGreaterThan(0);
    expect(linesFor(reqId)).toEqual([expect.objectContaining({ level: "info", route: "unmatched", status: 404 })]);
    // Remix's own default would print the 404 as an error with its stack, outside the JSON lines.
    expect(readFileSync(process.env.E2E_APP_LOG!, "utf8")).not.toContain('No route matches URL "/no-such-page"');
    expect(appLog().filter((line) => line.level === "error" && JSON.stringify(line).includes("no-such-page"))).toEqual(
      [],
    );
  });

  test("tells each upload event: created, parts signed and recorded, completed with its figures", async ({
    page,
    signIn,
    videoFile,
  }) => {
    const file = videoFile(16);
    await signIn("log-uploader");
    await page.getByLabel("Choose a file to attach").setInputFiles(file.path);
    await untilUploaded(page, 120_000);
    const parts = Math.ceil(16 / E2E_PART_MIB);
    const created = appLog().findLast((line) => line.event === "upload.created" && line.size === file.size);
    expect(created).toMatchObject({
      level: "info",
      parts,
      partSize: E2E_PART_MIB * 1024 * 1024,
      contentType: "video/webm", // the suite's test videos are real WebM clips
    });
    const uploadId = created!.uploadId;
    const events = appLog().filter((line) => line.uploadId === uploadId);
    expect(events.filter((line) => line.event === "upload.parts_signed").length).toBeGreaterThan(0);
    expect(events.filter((line) => line.event === "upload.part_recorded").map((line) => line.partNumber)).toEqual(
      expect.arrayContaining(Array.from({ length: parts }, (_, i) => i + 1)),
    );
    expect(events.find((line) => line.event === "upload.completed")).toMatchObject({
      size: file.size,
      parts,
      durationMs: expect.any(Number),
      bytesPerSecond: expect.any(Number),
    });
    // The request lines of the upload carry the same request ids as its events.
    const eventIds = new Set(events.map((line) => line.reqId));
    const requestLines = appLog().filter((line) => eventIds.has(line.reqId) && line.route !== undefined);
    expect(requestLines.map((line) => line.route)).toEqual(
      expect.arrayContaining(["/api/uploads", "/api/uploads/:id/parts", "/api/uploads/:id/complete"]),
    );
  });
});
