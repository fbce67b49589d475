import { spawnSync } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../server/db/embedded.js";
import { npmStart } from "../support/npm-start.js";
import { waitForHttp } from "../support/wait.js";
import { expect, test } from "./fixtures.js";

function postgresRunningFor(dataDir: string): boolean {
  return spawnSync("pgrep", ["-f", `postgres -D ${dataDir}`]).status === 0;
}

test("a fresh start needs no configuration, and a second start finds the same data", async ({
  page,
  consoleErrors,
}) => {
  // The refused name below is answered 400 (a form error), which Chromium logs.
  consoleErrors.allow(/Failed to load resource: the server responded with a status of 400 \(Bad Request\)/);
  const dataDir = await mkdtemp(join(tmpdir(), "feedup-fresh-"));
  await chmod(dataDir, 0o755);
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const env = { PORT: String(port), DATA_DIR: dataDir };
  try {
    const first = npmStart(env);
    await waitForHttp(`${url}/healthz`, { timeoutMs: 90_000, whileAlive: first.child });
    expect(first.output()).toContain(`feedup is running at ${url}`);
    expect(first.output()).toContain("embedded PostgreSQL");
    expect(first.output()).toContain("local S3 at http://127.0.0.1:");
    expect(first.output()).toContain("development sign-in");

    const anonymous = await fetch(url, { redirect: "manual" });
    expect([anonymous.status, anonymous.headers.get("location")]).toEqual([302, "/login"]);

    await page.goto(`${url}/`);
    // The name's pattern is one the browser can compile, so the browser checks it first...
    const name = page.getByLabel("Local user name");
    await name.fill("no spaces allowed");
    expect(await name.evaluate((input: HTMLInputElement) => input.validity.patternMismatch)).toBe(true);
    // ...and the server checks it too: the form comes back with the field's error, not a 404.
    await name.evaluate((input: HTMLInputElement) => (input.form!.noValidate = true));
    await page.getByRole("button", { name: "Continue as a local user" }).click();
    await expect(page.getByRole("alert")).toHaveText("Use 1 to 39 letters, digits or hyphens.");
    await expect(name).toHaveAttribute("aria-invalid", "true");
    expect(new URL(page.url()).pathname).toBe("/login");
    await name.fill("fresh-clone");
    await page.getByRole("button", { name: "Continue as a local user" }).click();
    await page.waitForURL(`${url}/`);
    await expect(page.getByTestId("signed-in-as")).toHaveText("fresh-clone");
    await expect(page.getByRole("heading", { name: "No posts yet" })).toBeVisible();
    const before = await (await page.request.get(`${url}/api/me`)).json();

    // The page leaves first: Remix fetches route manifests for links as they come into view,
    // and those requests would fail while the app is down.
    await page.goto("about:blank");
    // Ctrl-C: the conventional 130 (128 + SIGINT) after a complete shutdown, PostgreSQL included.
    first.child.kill("SIGINT");
    expect(await first.exit).toBe(130);
    expect(first.output()).toContain("Stopped.");
    expect(postgresRunningFor(dataDir)).toBe(false);

    const second = npmStart(env);
    await waitForHttp(`${url}/healthz`, { timeoutMs: 90_000, whileAlive: second.child });
    try {
      // Same session secret, same database: the browser is still signed in as the same user.
      await page.goto(`${url}/`);
      await expect(page.getByTestId("signed-in-as")).toHaveText("fresh-clone");
      expect(await (await page.request.get(`${url}/api/me`)).json()).toEqual(before);
    } finally {
      second.child.kill("SIGINT");
      expect(await second.exit).toBe(130);
      expect(postgresRunningFor(dataDir)).toBe(false);
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
