/**
 * npm run uploads:sweep: aborts abandoned uploads and deletes unposted ones once, and exits. It uses the configured database and S3;
 * with the embedded defaults, run it while the app is stopped (the running app sweeps by itself).
 */
import { startRuntime } from "../boot.js";
import { ConfigError } from "../config/env.js";
import { describeSweep, sweepUploads } from "./sweeper.js";

async function main(): Promise<void> {
  const runtime = await startRuntime({ port: 0, log: () => undefined, sweep: false });
  try {
    const said = describeSweep(await sweepUploads(runtime.services));
    console.log(said ? `Swept: ${said}.` : "Nothing to sweep.");
  } finally {
    await runtime.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  },
);
