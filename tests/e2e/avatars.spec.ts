import { expect, test } from "./fixtures.js";

test("avatars render with every third party blocked, and no request leaves for another host", async ({
  page,
  newContext,
  signIn,
  query,
  consoleErrors,
}) => {
  // Two authors: one with a GitHub avatar (stored at sign-in), one without (initials).
  for (const [login, text] of [
    ["octo-avatar", "From someone with a GitHub avatar"],
    ["plain-author", "From someone without one"],
  ] as const) {
    const context = await newContext();
    const author = await context.newPage();
    await signIn(login, author);
    await author.getByLabel("What do you want to share?").fill(text);
    await author.getByRole("button", { name: "Post", exact: true }).click();
    await expect(author.getByTestId("post").filter({ hasText: text })).toBeVisible();
    await context.close();
  }
  await query("update users set avatar_url = null where login = 'plain-author'");
  const [{ avatar_url: githubAvatar }] = (await query<{ avatar_url: string }>(
    "select avatar_url from users where login = 'octo-avatar'",
  )) as [{ avatar_url: string }];

  await signIn("avatar-viewer");
  await query("update users set avatar_url = null where login = 'avatar-viewer'");
  const app = new URL(page.url()).origin;
  const storage = new URL(process.env.E2E_S3_URL!).origin;
  const attempted: string[] = [];
  consoleErrors.allow(/Failed to load resource: net::ERR_BLOCKED_BY_CLIENT/);
  await page.route("**", (route) => {
    const url = new URL(route.request().url());
    if (url.origin === app || url.origin === storage) return route.continue();
    attempted.push(url.href);
    return route.abort("blockedbyclient");
  });

  const html = await (await page.reload())!.text();
  // Initials are drawn by the server: they are in the HTML before any script runs.
  expect(html).toContain(">PA</span>");
  expect(html).not.toContain("gravatar");
  const plain = page.getByTestId("post").filter({ hasText: "From someone without one" });
  await expect(plain.getByTestId("avatar-initials")).toHaveText("PA");
  // GitHub's avatar could not load: its initials stand in, with no broken image left on the page.
  const octo = page.getByTestId("post").filter({ hasText: "From someone with a GitHub avatar" });
  await expect(octo.getByTestId("avatar-initials")).toHaveText("OA");
  await expect
    .poll(() => page.evaluate(() => [...document.images].filter((i) => i.complete && i.naturalWidth === 0).length))
    .toBe(0);

  // Nothing left for another host: the only attempts were GitHub avatars (from this feed's authors),
  // and each was stopped here. No Gravatar, no fonts, no analytics.
  expect(attempted).toContain(githubAvatar);
  const avatarOrigin = new URL(githubAvatar).origin;
  expect(attempted.filter((url) => !url.startsWith(`${avatarOrigin}/avatars/`))).toEqual([]);
});
