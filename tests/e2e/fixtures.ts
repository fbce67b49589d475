import { test as base, expect, type Page } from "@playwright/test";
import pg from "pg";

export interface Fixtures {
  /** Signs in through the (fake) GitHub OAuth flow as `login` and waits for the feed. */
  signIn: (login: string, page?: Page) => Promise<void>;
  /** A query against the app's database, to check what the app stored. */
  query: <T extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<T[]>;
}

export const test = base.extend<Fixtures>({
  signIn: async ({ page }, use) => {
    await use(async (login, target = page) => {
      await target.goto("/login");
      await target.getByRole("button", { name: "Sign in with GitHub" }).click();
      await target.getByLabel("GitHub login").fill(login);
      await target.getByRole("button", { name: "Authorize" }).click();
      await target.waitForURL((url) => url.pathname === "/");
    });
  },
  query: async ({}, use) => {
    const client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
    await client.connect();
    await use(async (text, values) => (await client.query(text, values)).rows);
    await client.end();
  },
});

export { expect };
