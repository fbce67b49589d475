/**
 * npm run uploads:sweep: aborts abandoned uploads and deletes unposted ones once, and exits. It uses the configured database and S3;
 * with the embedded defaults, run it while the app is stopped (the running app sweeps by itself).
 */
import { startRuntime } from "../boot.js";
import { logSettings } from "../config/app-config.js";
import { ConfigError, parseEnv } from "../config/env.js";
import { EmbeddedPostgresError } from "../db/embedded.js";
import { createLogger } from "../observability/logger.js";
import { describeSweep, sweepExclusively } from "./sweeper.js";

async function main(): Promise<void> {
  const env = parseEnv(process.env);
  // Errors only: the app's start banner would describe a server this command does not run.
  const log = createLogger({ ...logSettings(env), level: "error" });
  const runtime = await startRuntime({ env, port: 0, log, sweep: false });
  try {
    const outcome = await sweepExclusively(runtime.services);
    const said = outcome.swept ? describeSweep(outcome) : "";
    console.log(
      outcome.swept
        ? said
          ? `Swept: ${said}.`
          : "Nothing to sweep."
        : "Another instance is sweeping right now; nothing done.",
    );
  } finally {
    await runtime.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof ConfigError || error instanceof EmbeddedPostgresError ? error.message : error);
    process.exit(1);
  },
);
