import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../server/db/embedded.js";
import { spawnApp } from "../support/processes.js";
import { waitForHttp } from "../support/wait.js";
import { expect, test } from "./fixtures.js";

const isRoot = process.getuid?.() === 0;

/** The app on embedded defaults (no DATABASE_URL, no S3_ENDPOINT) with its data under `dataDir`. */
function startEmbedded(dataDir: string, port: number) {
  const env: Record<string, string> = { NODE_ENV: "development", DATA_DIR: dataDir, PORT: String(port) };
  for (const name of ["DATABASE_URL", "S3_ENDPOINT", "APP_URL", "GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"])
    env[name] = ""; // empty is unset for the app
  return spawnApp(env);
}

// The tests run as root here, as in many containers: PostgreSQL then runs as the "postgres" user.
test("started from a folder other users cannot enter, it says why and what to set in one line, then runs once fixed", async () => {
  // mktemp -d makes a 0700 folder: the "postgres" user cannot enter it.
  const privateDir = await mkdtemp(join(tmpdir(), "feedup-private-"));
  const dataDir = join(privateDir, "project", ".data");
  const port = await freePort();
  try {
    const refused = startEmbedded(dataDir, port);
    if (isRoot) {
      expect(await refused.exited).toBe(1);
      const lines = refused.stderr().trim().split("\n");
      expect(lines).toEqual([
        `Start-up failed: The embedded PostgreSQL cannot start: as root it runs as the system user "postgres", which cannot enter ${privateDir} to reach its data in ${join(dataDir, "postgres")}. Set DATA_DIR to a folder it can reach (e.g. DATA_DIR=/var/lib/feedup), or DATABASE_URL to a PostgreSQL of your own.`,
      ]);
      expect(refused.output()).not.toMatch(/\n\s+at /);
    } else {
      // Not root: PostgreSQL runs as this user, who can reach the folder; nothing to refuse.
      await waitForHttp(`http://localhost:${port}/healthz`, { timeoutMs: 90_000, whileAlive: refused.child });
      await refused.stop();
    }

    // The fix the message names: a folder the "postgres" user can reach.
    await chmod(privateDir, 0o755);
    const fixed = startEmbedded(dataDir, port);
    try {
      await waitForHttp(`http://localhost:${port}/healthz`, { timeoutMs: 90_000, whileAlive: fixed.child });
      expect(fixed.output()).toContain(`embedded PostgreSQL, data in ${join(dataDir, "postgres")}`);
    } finally {
      expect(await fixed.stop()).toBe(130);
    }
  } finally {
    await rm(privateDir, { recursive: true, force: true });
  }
});
