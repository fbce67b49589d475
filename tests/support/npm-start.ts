import type { ChildProcess } from "node:child_process";
import { spawnNodeInGroup } from "./processes.js";

export interface StartedApp {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
  /** Ctrl-C: SIGINT to `npm start`, which passes it on; resolves with the exit code. */
  stop: () => Promise<number | null>;
  /** Ends whatever of its process group is left (after a failed test). */
  kill: () => void;
}

/**
 * `npm start` (scripts/start.mjs) with only `env` and the basics, in its own process group, so
 * nothing it started (the server, the embedded PostgreSQL) outlives the test.
 */
export function npmStart(env: Record<string, string>): StartedApp {
  const clean = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "development",
    ...env,
  } as NodeJS.ProcessEnv;
  const started = spawnNodeInGroup(["scripts/start.mjs"], clean);
  return {
    child: started.child,
    output: started.output,
    exit: started.exited,
    stop: () => {
      started.child.kill("SIGINT");
      return started.exited;
    },
    kill: started.kill,
  };
}
