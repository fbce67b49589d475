/** Servers the tests and benchmarks run as processes of their own, each in its own process group. */
import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "../../server/db/embedded.js";
import { TEST_CREDENTIALS } from "./local-s3.js";
import { waitForHttp } from "./wait.js";

export interface SpawnedProcess {
  child: ChildProcess;
  pid: number;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  stderr(): string;
  /** Its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** `signal` (Ctrl-C by default) to its whole process group, then waits; SIGKILL if it does not end in time. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `node ...args` in a process group of its own, with exactly `env`. */
export function spawnNodeInGroup(args: string[], env: NodeJS.ProcessEnv): SpawnedProcess & { kill(): void } {
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
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
    pid: child.pid!,
    output: () => output,
    stderr: () => stderr,
    exited,
    kill: () => signalGroup("SIGKILL"),
    async stop(signal = "SIGINT") {
      if (child.exitCode === null && child.signalCode === null) signalGroup(signal);
      const killer = setTimeout(() => signalGroup("SIGKILL"), 30_000);
      try {
        return await exited;
      } finally {
        clearTimeout(killer);
      }
    },
  };
}

/** `node --import tsx ...args` in a process group of its own, with `env` over the current environment. */
export const spawnTsx = (args: string[], env: Record<string, string> = {}): SpawnedProcess =>
  spawnNodeInGroup(["--import", "tsx", ...args], {
    ...process.env,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...env,
  });

/** Runs the app (server/main.ts, from the existing build). */
export const spawnApp = (env: Record<string, string>, nodeArgs: string[] = []) =>
  spawnTsx([...nodeArgs, "server/main.ts"], env);

export interface RunningApp extends SpawnedProcess {
  /** http://localhost:PORT */
  url: string;
}

/** Starts the app on a free port and waits until /healthz answers; stops it again if it never does. */
export async function startAppProcess(
  env: Record<string, string>,
  options: { nodeArgs?: string[]; timeoutMs?: number } = {},
): Promise<RunningApp> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const app = spawnApp({ PORT: String(port), APP_URL: url, ...env }, options.nodeArgs);
  try {
    await waitForHttp(`${url}/healthz`, { timeoutMs: options.timeoutMs ?? 90_000, whileAlive: app.child });
  } catch (error) {
    await app.stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${app.output()}`);
  }
  return { ...app, url };
}

/** Starts a server script that prints "listening on URL" and waits for that line. */
export async function startListening(
  args: string[],
  env: Record<string, string> = {},
): Promise<SpawnedProcess & { url: string }> {
  const server = spawnTsx(args, env);
  try {
    const url = await new Promise<string>((resolve, reject) => {
      server.child.stdout!.on("data", () => {
        const match = server.output().match(/listening on (http:\/\/\S+)/);
        if (match) resolve(match[1]!);
      });
      void server.exited.then((code) => reject(new Error(`${args.join(" ")} exited with ${code}: ${server.output()}`)));
    });
    return { ...server, url };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * The local S3 as its own process (`npm run local-s3`), with the test credentials and `bucket`. Without
 * `port` it takes a free one and keeps it in `dataDir`, so starting it again on the same data reuses it.
 */
export const startLocalS3Process = (options: { dataDir: string; bucket: string; port?: number }) =>
  startListening([
    "server/local-s3/cli.ts",
    "--data",
    options.dataDir,
    "--bucket",
    options.bucket,
    "--access-key-id",
    TEST_CREDENTIALS.accessKeyId,
    "--secret-access-key",
    TEST_CREDENTIALS.secretAccessKey,
    ...(options.port === undefined ? [] : ["--port", String(options.port)]),
  ]);
