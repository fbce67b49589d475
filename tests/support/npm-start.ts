import { spawn, type ChildProcess } from "node:child_process";

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
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    env: clean,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // The group is gone already.
    }
  };
  return {
    child,
    output: () => output,
    exit,
    stop: () => {
      child.kill("SIGINT");
      return exit;
    },
    kill: () => signalGroup("SIGKILL"),
  };
}
