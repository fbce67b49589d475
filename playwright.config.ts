import { defineConfig } from "@playwright/test";
import { freePort } from "./server/db/embedded.js";
import { chromiumLaunchOptions } from "./tests/support/chromium.js";

// Chosen once in the runner and inherited by workers through the environment.
process.env.E2E_PORT ??= String(await freePort());

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "test-results/e2e",
  globalSetup: "./tests/support/e2e-global-setup.ts",
  // One worker: the suite shares one app, one database and one local S3 whose fault rules are global.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  timeout: 180_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    baseURL: `http://localhost:${process.env.E2E_PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: chromiumLaunchOptions(),
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
});
