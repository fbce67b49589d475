import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { action as devSignIn } from "~/routes/auth.dev";
import { action as githubStart } from "~/routes/auth.github";
import { loader as githubCallback } from "~/routes/auth.github.callback";
import { loader as login } from "~/routes/login";
import type { Services } from "../../server/services.js";
import { startFakeGitHub, type FakeGitHub } from "../support/fake-github.js";
import { call, cookiesFrom } from "../support/requests.js";
import { startTestApp, type TestApp } from "../support/services.js";

/** What got through before: a tab or newline after the first slash, which browsers drop (or a 500). */
const PAYLOADS = ["/\t/evil.example", "/\n/evil.example", "//evil.example", "/\\evil.example", "/%2F%2Fevil.example"];

let app: TestApp;
let github: FakeGitHub;
let withGitHub: Services;

beforeAll(async () => {
  app = await startTestApp();
  github = await startFakeGitHub();
  withGitHub = app.withEnv({
    GITHUB_CLIENT_ID: github.clientId,
    GITHUB_CLIENT_SECRET: github.clientSecret,
    GITHUB_URL: github.url,
    GITHUB_API_URL: github.url,
  });
});
afterAll(async () => {
  await github.stop();
  await app.close();
});

const location = (response: Response) => [response.status, response.headers.get("location")];

/** The whole GitHub round trip: the sign-in form, the fake GitHub's consent, then the callback. */
async function githubRoundTrip(returnTo: string, forgeSession?: (cookie: string) => Promise<string>) {
  const start = await call(githubStart, withGitHub, "/auth/github", { form: { returnTo } });
  const authorize = new URL(start.headers.get("location")!);
  let cookie = cookiesFrom(start);
  if (forgeSession) cookie = await forgeSession(cookie);
  const consent = await fetch(`${github.url}/login/oauth/authorize`, {
    method: "POST",
    redirect: "manual",
    body: new URLSearchParams({
      login: "returner",
      state: authorize.searchParams.get("state")!,
      redirect_uri: authorize.searchParams.get("redirect_uri")!,
    }),
  });
  const callback = new URL(consent.headers.get("location")!);
  return call(githubCallback, withGitHub, `/auth/github/callback${callback.search}`, { cookie });
}

describe("returnTo after sign-in only ever leads to a path on this site", () => {
  it("from the sign-in page's query, for someone already signed in", async () => {
    const cookie = cookiesFrom(await call(devSignIn, app.services, "/auth/dev", { form: { login: "query" } }));
    for (const payload of PAYLOADS) {
      const response = await call(login, app.services, `/login?returnTo=${encodeURIComponent(payload)}`, { cookie });
      expect(location(response), payload).toEqual([302, "/"]);
    }
    expect(location(await call(login, app.services, "/login?returnTo=%2Ffeed%3Fx%3D1", { cookie }))).toEqual([
      302,
      "/feed?x=1",
    ]);
  });

  it("from the sign-in page's query, into the forms it renders", async () => {
    const page = (await (
      await call(login, app.services, `/login?returnTo=${encodeURIComponent("/%09/evil.example")}`)
    ).json()) as { returnTo: string };
    expect(page.returnTo).toBe("/");
  });

  it("from the development sign-in form", async () => {
    for (const returnTo of [...PAYLOADS, "https://evil.example/"]) {
      const response = await call(devSignIn, app.services, "/auth/dev", { form: { login: "ada", returnTo } });
      expect(location(response), returnTo).toEqual([302, "/"]);
    }
  });

  it("through the GitHub round trip: the form's value and a session carrying an unsafe one", async () => {
    expect(location(await githubRoundTrip("/after?x=1"))).toEqual([302, "/after?x=1"]);
    for (const payload of PAYLOADS) {
      expect(location(await githubRoundTrip(payload)), payload).toEqual([302, "/"]);
      // A session cookie written before this check existed (or by anyone holding the secret).
      const forged = await githubRoundTrip("/fine", async (cookie) => {
        const session = await withGitHub.sessions.getSession(cookie);
        session.set("returnTo", payload);
        return cookiesFrom(
          new Response(null, { headers: { "Set-Cookie": await withGitHub.sessions.commitSession(session) } }),
          cookie,
        );
      });
      expect(location(forged), `session ${payload}`).toEqual([302, "/"]);
    }
  });
});
