import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { action as devSignIn } from "~/routes/auth.dev";
import { action as githubStart } from "~/routes/auth.github";
import { loader as githubCallback } from "~/routes/auth.github.callback";
import { loader as home } from "~/routes/_index";
import { loader as login } from "~/routes/login";
import { action as logout } from "~/routes/logout";
import { loader as me } from "~/routes/api.me";
import { upsertGitHubUser } from "../../server/auth/users.js";
import { call, cookiesFrom } from "../support/requests.js";
import { startTestApp, type TestApp } from "../support/services.js";

let app: TestApp;

/** What production requires on top of the test setup. */
const PRODUCTION = {
  NODE_ENV: "production",
  GITHUB_CLIENT_ID: "id",
  GITHUB_CLIENT_SECRET: "secret",
  SESSION_SECRET: "a-production-secret-of-at-least-32-chars",
};

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app.close());

async function signIn(login: string): Promise<string> {
  const response = await call(devSignIn, app.services, "/auth/dev", { form: { login } });
  expect(response.status).toBe(302);
  return cookiesFrom(response);
}

describe("pages and API routes need a session", () => {
  it("redirects a page to sign-in, remembering where to come back", async () => {
    const response = await call(home, app.services, "/");
    expect([response.status, response.headers.get("location")]).toEqual([302, "/login"]);
    const deep = await call(home, app.services, "/?tab=videos");
    expect(deep.headers.get("location")).toBe("/login?returnTo=%2F%3Ftab%3Dvideos");
  });

  it("answers 401 JSON on API routes instead of redirecting", async () => {
    const response = await call(me, app.services, "/api/me");
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: "unauthenticated", message: "Sign in to use this API." } });
  });

  it("ignores a forged session cookie", async () => {
    const cookie = await signIn("forger");
    const tampered = cookie.replace(/__session=([^.;]+)/, (_m, value: string) => `__session=${value.slice(0, -2)}AA`);
    expect((await call(me, app.services, "/api/me", { cookie: tampered })).status).toBe(401);
  });
});

describe("development sign-in", () => {
  it("creates a local user on first sign-in, reuses it after, and signs in with an httpOnly SameSite=Lax cookie", async () => {
    const response = await call(devSignIn, app.services, "/auth/dev", { form: { login: "ada", returnTo: "/?x=1" } });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/?x=1");
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith("__session="))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i);
    const cookie = cookiesFrom(response);
    const profile = (await (await call(me, app.services, "/api/me", { cookie })).json()) as {
      id: string;
      login: string;
    };
    expect(profile.login).toBe("ada");

    const again = cookiesFrom(await call(devSignIn, app.services, "/auth/dev", { form: { login: "ada" } }));
    const second = (await (await call(me, app.services, "/api/me", { cookie: again })).json()) as { id: string };
    expect(second.id).toBe(profile.id);
    const rows = await app.db.selectFrom("users").select("id").where("login", "=", "ada").execute();
    expect(rows).toHaveLength(1);
  });

  it("refuses an invalid user name with a 400 and creates nothing", async () => {
    const response = await call(devSignIn, app.services, "/auth/dev", { form: { login: "no spaces <allowed>" } });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; fields: Record<string, string[]> } };
    expect(body.error.code).toBe("invalid_input");
    expect(body.error.fields.login).toBeDefined();
    expect(await app.db.selectFrom("users").select("id").where("login", "=", "no spaces <allowed>").execute()).toEqual(
      [],
    );
  });

  it("never redirects off-site after sign-in", async () => {
    for (const returnTo of ["https://evil.test/", "//evil.test", "/\\evil.test"]) {
      const response = await call(devSignIn, app.services, "/auth/dev", { form: { login: "ada", returnTo } });
      expect(response.headers.get("location")).toBe("/");
    }
  });

  it("does not exist in production: 404, no user created", async () => {
    const production = app.withEnv(PRODUCTION);
    const response = await call(devSignIn, production, "/auth/dev", { form: { login: "intruder" } });
    expect(response.status).toBe(404);
    expect(await app.db.selectFrom("users").select("id").where("login", "=", "intruder").execute()).toEqual([]);
    const page = (await (await call(login, production, "/login")).json()) as { devSignIn: boolean; github: boolean };
    expect(page).toMatchObject({ devSignIn: false, github: true });
  });

  it("is hidden when a GitHub app is configured", async () => {
    const withGitHub = app.withEnv({ GITHUB_CLIENT_ID: "id", GITHUB_CLIENT_SECRET: "secret" });
    expect((await call(devSignIn, withGitHub, "/auth/dev", { form: { login: "x" } })).status).toBe(404);
  });
});

describe("sessions", () => {
  it("signs out: the session cookie is cleared and the API answers 401 again", async () => {
    const cookie = await signIn("leaving");
    const response = await call(logout, app.services, "/logout", { method: "POST", cookie });
    expect(response.headers.get("location")).toBe("/login");
    const after = cookiesFrom(response, cookie);
    expect((await call(me, app.services, "/api/me", { cookie: after })).status).toBe(401);
  });

  it("uses a Secure __Host- cookie in production", async () => {
    const production = app.withEnv(PRODUCTION);
    const session = await production.sessions.getSession();
    session.set("sessionToken", "token");
    const header = await production.sessions.commitSession(session);
    expect(header).toMatch(/^__Host-session=/);
    expect(header).toMatch(/; Secure/);
    expect(header).toMatch(/; HttpOnly/);
    expect(header).toMatch(/; Path=\//);
  });

  it("redirects a signed-in visitor away from the sign-in page", async () => {
    const cookie = await signIn("already-in");
    const response = await call(login, app.services, "/login?returnTo=/somewhere", { cookie });
    expect([response.status, response.headers.get("location")]).toEqual([302, "/somewhere"]);
  });
});

describe("GitHub sign-in routes", () => {
  it("answers 404 when no GitHub app is configured", async () => {
    expect((await call(githubStart, app.services, "/auth/github", { form: {} })).status).toBe(404);
    expect((await call(githubCallback, app.services, "/auth/github/callback?code=x&state=y")).status).toBe(404);
  });

  it("redirects to the configured GitHub with a state cookie", async () => {
    const withGitHub = app.withEnv({
      GITHUB_CLIENT_ID: "client-1",
      GITHUB_CLIENT_SECRET: "secret",
      GITHUB_URL: "https://ghe.example.com",
    });
    const response = await call(githubStart, withGitHub, "/auth/github", { form: { returnTo: "/after" } });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe("https://ghe.example.com/login/oauth/authorize");
    expect(location.searchParams.get("client_id")).toBe("client-1");
    expect(location.searchParams.get("redirect_uri")).toBe("http://app.test/auth/github/callback");
    const state = location.searchParams.get("state")!;
    expect(
      response.headers.getSetCookie().some((c) => c.includes(encodeURIComponent(state)) || c.includes(state)),
    ).toBe(true);
  });

  it("refuses a callback whose state does not match the cookie", async () => {
    const withGitHub = app.withEnv({ GITHUB_CLIENT_ID: "client-1", GITHUB_CLIENT_SECRET: "secret" });
    const start = await call(githubStart, withGitHub, "/auth/github", { form: {} });
    const cookie = cookiesFrom(start);
    const response = await call(githubCallback, withGitHub, "/auth/github/callback?code=abc&state=not-the-state", {
      cookie,
    });
    expect([response.status, response.headers.get("location")]).toEqual([302, "/login?error=github"]);
    expect(response.headers.getSetCookie().some((c) => c.startsWith("__session="))).toBe(false);
  });
});

describe("users", () => {
  it("keys GitHub users by GitHub id and refreshes their profile on later sign-ins", async () => {
    const first = await upsertGitHubUser(app.db, {
      githubId: 4242,
      login: "octo",
      name: "Octo Cat",
      avatarUrl: "https://avatars.example/1",
    });
    const renamed = await upsertGitHubUser(app.db, {
      githubId: 4242,
      login: "octo-renamed",
      name: "Octo",
      avatarUrl: null,
    });
    expect(renamed.id).toBe(first.id);
    expect(renamed).toMatchObject({ github_id: 4242, login: "octo-renamed", name: "Octo", avatar_url: null });
  });
});
