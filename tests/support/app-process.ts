import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "../../server/db/embedded.js";
import { waitForHttp } from "./wait.js";

export interface SpawnedApp {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  stderr(): string;
  /** Its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** Ctrl-C to its whole process group, then waits; SIGKILL to the group if it does not end in time. */
  stop(): Promise<number | null>;
}

/**
 * Runs the app (server/main.ts, from the existing build) as its own process, in its own process group,
 * with `env` over the current environment.
 */
export function spawnApp(env: Record<string, string>, options: { nodeArgs?: string[] } = {}): SpawnedApp {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), "--import", "tsx", "server/main.ts"], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => {
    output += d.toString();
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone already
    }
  };
  return {
    child,
    output: () => output,
    stderr: () => stderr,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) signalGroup("SIGINT");
      const killer = setTimeout(() => signalGroup("SIGKILL"), 30_000);
      try {
        return await exited;
      } finally {
        clearTimeout(killer);
      }
    },
  };
}

export interface RunningAppProcess extends SpawnedApp {
  /** http://localhost:PORT */
  url: string;
  pid: number;
}

/** Starts the app on a free port and waits until /healthz answers; stops it again if it never does. */
export async function startAppProcess(
  env: Record<string, string>,
  options: { nodeArgs?: string[]; timeoutMs?: number } = {},
): Promise<RunningAppProcess> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const app = spawnApp({ PORT: String(port), APP_URL: url, ...env }, options);
  try {
    await waitForHttp(`${url}/healthz`, { timeoutMs: options.timeoutMs ?? 90_000, whileAlive: app.child });
  } catch (error) {
    await app.stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${app.output()}`);
  }
  return { ...app, url, pid: app.child.pid! };
}
