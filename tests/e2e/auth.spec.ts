import { fakeGitHubId } from "../support/fake-github.js";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures.js";

/** Signs out through the account menu and waits until the page has landed on the sign-in page. */
async function signOut(page: Page): Promise<void> {
  await page.getByLabel("Account").click();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  // The sign-out is a form submission: a navigation started before it ends would cancel it.
  await expect(page).toHaveURL(/\/login$/);
}

test.describe("signing in", () => {
  test("a visitor is sent to sign-in, which offers GitHub and no development sign-in", async ({ page }) => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByRole("button", { name: "Sign in with GitHub" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Continue as a local user" })).toHaveCount(0);
  });

  test("the first GitHub sign-in creates the user and lands on the feed", async ({ page, signIn, query }) => {
    expect(await query("select id from users where github_id = $1", [fakeGitHubId("new-person")])).toHaveLength(0);
    await signIn("new-person");
    await expect(page.getByTestId("signed-in-as")).toHaveText("New Person");
    const rows = await query<{ login: string; name: string; avatar_url: string }>(
      "select login, name, avatar_url from users where github_id = $1",
      [fakeGitHubId("new-person")],
    );
    expect(rows).toEqual([
      { login: "new-person", name: "New Person", avatar_url: expect.stringContaining("/avatars/new-person.svg") },
    ]);
    // Signing in again finds the same row.
    await signOut(page);
    await signIn("new-person");
    expect(await query("select id from users where github_id = $1", [fakeGitHubId("new-person")])).toHaveLength(1);
  });

  test("a tampered state is refused: no session, no user", async ({ page, query }) => {
    await page.goto("/login");
    await page.getByRole("button", { name: "Sign in with GitHub" }).click();
    await page.getByLabel("GitHub login").fill("state-tamperer");
    await page.locator('input[name="state"]').evaluate((input: HTMLInputElement) => (input.value = `${input.value}x`));
    await page.getByRole("button", { name: "Authorize" }).click();
    await expect(page).toHaveURL(/\/login\?error=github$/);
    await expect(page.getByRole("alert")).toHaveText(/GitHub sign-in did not complete/);
    await page.goto("/");
    await expect(page).toHaveURL(/\/login$/);
    expect(await query("select id from users where login = $1", ["state-tamperer"])).toEqual([]);
  });

  test("a callback without the state cookie is refused", async ({ page }) => {
    await page.goto("/auth/github/callback?code=anything&state=anything");
    await expect(page).toHaveURL(/\/login\?error=github$/);
  });

  test("signing out ends the session, and a copy of its cookie with it", async ({ page, signIn, newContext }) => {
    await signIn("leaver");
    const copied = await page.context().cookies();
    await signOut(page);
    await expect(page).toHaveURL(/\/login$/);
    await page.goto("/");
    await expect(page).toHaveURL(/\/login$/);
    const elsewhere = await newContext();
    await elsewhere.addCookies(copied);
    const replayed = await elsewhere.newPage();
    await replayed.goto("/");
    await expect(replayed).toHaveURL(/\/login$/);
    expect((await elsewhere.request.get("/api/me")).status()).toBe(401);
    await elsewhere.close();
  });

  test("signing out everywhere ends the sessions on other devices too", async ({
    page,
    signIn,
    newContext,
  }, testInfo) => {
    await signIn("two-devices");
    const phoneContext = await newContext({ viewport: { width: 375, height: 700 } });
    const phone = await phoneContext.newPage();
    await signIn("two-devices", phone);
    await phone.getByLabel("Account").click();
    await expect(phone.getByRole("button", { name: /Sign out everywhere/ })).toBeVisible();
    await phone.screenshot({ path: testInfo.outputPath("account-menu-phone.png") });
    await page.getByLabel("Account").click();
    await page.screenshot({ path: testInfo.outputPath("account-menu.png") });
    await page.getByRole("button", { name: /Sign out everywhere/ }).click();
    await expect(page).toHaveURL(/\/login$/);
    await phone.reload();
    await expect(phone).toHaveURL(/\/login$/);
    await phoneContext.close();
  });
});

test.describe("over HTTP", () => {
  test("API routes answer 401 JSON without a session", async ({ request }) => {
    const response = await request.get("/api/me");
    expect(response.status()).toBe(401);
    expect(await response.json()).toEqual({ error: { code: "unauthenticated", message: "Sign in to use this API." } });
  });

  test("cross-site mutations are refused with 403", async ({ request }) => {
    const response = await request.post("/logout", { headers: { Origin: "https://evil.test" } });
    expect(response.status()).toBe(403);
    expect((await response.json()).error.code).toBe("cross_site_request");
    const fetchMetadata = await request.post("/auth/github", { headers: { "Sec-Fetch-Site": "cross-site" } });
    expect(fetchMetadata.status()).toBe(403);
    for (const [method, path] of [
      ["POST", "/api/uploads"],
      ["POST", "/api/uploads/0b4b7c4e-8f1e-4b55-9a77-3c1b8f0e2d11/parts"],
      ["PUT", "/api/uploads/0b4b7c4e-8f1e-4b55-9a77-3c1b8f0e2d11/parts"],
      ["PUT", "/api/uploads/0b4b7c4e-8f1e-4b55-9a77-3c1b8f0e2d11/parts/1"],
      ["POST", "/api/uploads/0b4b7c4e-8f1e-4b55-9a77-3c1b8f0e2d11/complete"],
      ["DELETE", "/api/uploads/0b4b7c4e-8f1e-4b55-9a77-3c1b8f0e2d11"],
    ] as const) {
      const refused = await request.fetch(path, {
        method,
        headers: { Origin: "https://evil.test", "Sec-Fetch-Site": "cross-site" },
        data: {},
      });
      expect(refused.status(), `${method} ${path}`).toBe(403);
    }
  });

  test("the development sign-in does not exist when GitHub is configured", async ({ request }) => {
    expect((await request.post("/auth/dev", { form: { login: "x" } })).status()).toBe(404);
  });
});
