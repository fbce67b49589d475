/**
 * What the benchmark scripts share: the test video, CPU accounting from /proc, the app on embedded defaults,
 * Chromium with a page's peak JS heap, and the "ceiling" run (Chromium sending parts to a discarding server).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "@playwright/test";
import { freePort } from "../server/db/embedded.js";
import { makeClip, webmPadding } from "../tests/e2e/media.js";
import { chromiumLaunchOptions } from "../tests/support/chromium.js";
import { waitForHttp } from "../tests/support/wait.js";

export const MiB = 1024 * 1024;

/** The value below which `p` percent of `sorted` (ascending) lie: the nearest-rank percentile. */
export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Writes a `sizeMiB` file (a multiple of 8) that passes the app's MP4 sniffing, with bytes that differ from
 * chunk to chunk (and from seed to seed); returns its SHA-256 (hex), to check what storage ends up holding.
 */
export async function writeVideo(path: string, sizeMiB: number, seed = 0): Promise<string> {
  const file = await open(path, "w");
  const hash = createHash("sha256");
  const chunk = Buffer.alloc(8 * MiB);
  for (let j = 0; j < chunk.length; j += 4) chunk.writeUInt32LE((j * 2654435761) >>> 0, j);
  for (let i = 0; i < sizeMiB / 8; i += 1) {
    chunk.writeUInt32LE(i, 64);
    chunk.writeUInt32LE(seed, 68); // files of different seeds differ in every chunk
    if (i === 0) Buffer.from("\u0000\u0000\u0000\u0018ftypmp42", "latin1").copy(chunk, 0);
    hash.update(chunk);
    await file.write(chunk);
    if (i === 0) chunk.fill(0, 0, 12);
  }
  await file.close();
  return hash.digest("hex");
}

/**
 * A video the app's upload page accepts (its playability check decodes the file's start): a real WebM
 * clip, made in a page of the app (WebCodecs needs its secure origin), grown to `sizeMiB` with a Void
 * element of the same filler as writeVideo's. Returns the file's SHA-256 (hex).
 */
export async function writePlayableVideo(
  browser: Browser,
  appUrl: string,
  path: string,
  sizeMiB: number,
  seed = 0,
): Promise<string> {
  const context = await browser.newContext();
  let clip: Buffer;
  try {
    const page = await context.newPage();
    await page.goto(`${appUrl}/login`);
    // tsx compiles with esbuild's keepNames, which wraps the functions makeClip sends to the page in __name().
    await page.evaluate("globalThis.__name ??= (fn) => fn");
    clip = await makeClip(page);
  } finally {
    await context.close();
  }
  const { head, fillerLength } = webmPadding(clip, sizeMiB * MiB);
  const file = await open(path, "w");
  const hash = createHash("sha256");
  const write = async (bytes: Buffer) => {
    hash.update(bytes);
    await file.write(bytes);
  };
  await write(head);
  const chunk = Buffer.alloc(8 * MiB);
  for (let j = 0; j < chunk.length; j += 4) chunk.writeUInt32LE((j * 2654435761) >>> 0, j);
  chunk.writeUInt32LE(seed, 68);
  for (let i = 0, left = fillerLength; left > 0; i += 1, left -= chunk.length) {
    chunk.writeUInt32LE(i, 64); // every chunk differs
    await write(chunk.subarray(0, Math.min(left, chunk.length)));
  }
  await file.close();
  return hash.digest("hex");
}

/** CPU seconds by kind of process, e.g. { browser: 3.1, renderer: 2.0 }. */
export type CpuByKind = Map<string, number>;

/** CPU seconds used so far by each process of a tree, with its kind. */
export type CpuSnapshot = Map<number, { kind: string; seconds: number }>;

interface ProcessInfo {
  pid: number;
  ppid: number;
  /** User + system time of the process itself. */
  seconds: number;
  cmdline: string;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    // utime + stime, in clock ticks of 1/100 s
    return { pid, ppid: Number(fields[1]), seconds: (Number(fields[11]) + Number(fields[12])) / 100, cmdline };
  } catch {
    return undefined; // the process ended while being read
  }
}

/**
 * CPU seconds used so far by `rootPid` and each process below it that `classify` gives a kind. Only this
 * process tree counts, so other people's browsers and servers on a shared machine do not.
 */
export function processTreeCpu(rootPid: number, classify: (process: ProcessInfo) => string | undefined): CpuSnapshot {
  const all = readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => readProcess(Number(entry)))
    .filter((p): p is ProcessInfo => p !== undefined);
  const children = new Map<number, ProcessInfo[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const snapshot: CpuSnapshot = new Map();
  const visit = (p: ProcessInfo) => {
    const kind = classify(p);
    if (kind) snapshot.set(p.pid, { kind, seconds: p.seconds });
    for (const child of children.get(p.pid) ?? []) visit(child);
  };
  const root = all.find((p) => p.pid === rootPid);
  if (root) visit(root);
  return snapshot;
}

/** CPU so far of the Chromium processes this script launched, by process (browser, renderer, network, gpu, ...). */
export function chromiumCpu(): CpuSnapshot {
  return processTreeCpu(process.pid, ({ cmdline }) => {
    if (!/chrom(e|ium)/.test(cmdline.split(" ")[0] ?? "")) return undefined;
    const type = cmdline.match(/--type=(\S+)/)?.[1] ?? "browser";
    return type === "utility" ? (cmdline.includes("NetworkService") ? "network" : "utility") : type;
  });
}

/** CPU so far of a server process tree: the process itself (`label`) and its embedded PostgreSQL. */
export function serverCpu(pid: number, label: string): CpuSnapshot {
  return processTreeCpu(pid, (p) => (p.pid === pid ? label : /postgres/.test(p.cmdline) ? "postgres" : "other"));
}

/**
 * What the processes alive at the second reading used since the first, by kind. A process that ended in
 * between (a closed page's renderer) is left out rather than counted negative.
 */
export function cpuUsed(before: CpuSnapshot, after: CpuSnapshot): CpuByKind {
  const used: CpuByKind = new Map();
  for (const [pid, { kind, seconds }] of after)
    used.set(kind, (used.get(kind) ?? 0) + seconds - (before.get(pid)?.seconds ?? 0));
  return used;
}

export const cpuTotal = (used: CpuByKind) => [...used.values()].reduce((sum, s) => sum + s, 0);

/** "Chromium 12.3 (browser 5.1, renderer 4.0, ...)": the total and the kinds that used at least 0.05 s. */
export function describeCpu(label: string, used: CpuByKind, scale = 1): string {
  const parts = [...used]
    .filter(([, seconds]) => seconds * scale >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, s]) => `${kind} ${(s * scale).toFixed(1)}`);
  return `${label} ${(cpuTotal(used) * scale).toFixed(1)} (${parts.join(", ")})`;
}

/** Starts a server script in its own process and waits for the URL it prints ("listening on URL"). */
export async function startServer(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...env },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const match = out.match(/listening on (http:\/\/\S+)/);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
  return { child, url };
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

export interface RunningApp {
  /** The app's origin, e.g. http://localhost:PORT. */
  url: string;
  /** The embedded local S3 (reading it throws when the app runs against another S3). */
  s3Url: string;
  s3Credentials: { accessKeyId: string; secretAccessKey: string };
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts the app (from the existing build) on embedded defaults with its data under `dataDir`, and waits
 * until it answers. `env` adds settings (UPLOAD_PART_SIZE, ...); `nodeArgs` go to its Node (--cpu-prof).
 */
export async function startApp(options: {
  dataDir: string;
  env?: Record<string, string>;
  nodeArgs?: string[];
}): Promise<RunningApp> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  let output = "";
  const app = spawn(process.execPath, [...(options.nodeArgs ?? []), "--import", "tsx", "server/main.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "development",
      PORT: String(port),
      DATA_DIR: options.dataDir,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  app.stdout.on("data", (d: Buffer) => (output += d.toString()));
  const stop = async () => {
    if (app.exitCode !== null) return;
    const exited = new Promise((resolve) => app.once("exit", resolve));
    app.kill("SIGINT");
    await exited;
  };
  try {
    await waitForHttp(`${url}/healthz`, { timeoutMs: 90_000, whileAlive: app });
    const localS3Url = output.match(/local S3 at (http:\/\/\S+),/)?.[1];
    const credentialsFile = join(options.dataDir, "local-s3-credentials.json");
    const credentials = existsSync(credentialsFile)
      ? (JSON.parse(await readFile(credentialsFile, "utf8")) as RunningApp["s3Credentials"])
      : undefined;
    // Only benchmarks that drive the embedded local S3 need these; others also run against an external S3.
    const localOnly = <T>(value: T | undefined): T => {
      if (value === undefined) throw new Error("this benchmark needs the embedded local S3: unset S3_ENDPOINT");
      return value;
    };
    return {
      url,
      get s3Url() {
        return localOnly(localS3Url);
      },
      get s3Credentials() {
        return localOnly(credentials);
      },
      pid: app.pid!,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export const launchChromium = (): Promise<Browser> => chromium.launch(chromiumLaunchOptions());

/** Signs `page` in to the app as a local (development) user. */
export async function signIn(page: Page, appUrl: string, login = "bench"): Promise<void> {
  await page.goto(`${appUrl}/login`);
  await page.getByLabel("Local user name").fill(login);
  await page.getByRole("button", { name: "Continue as a local user" }).click();
  await page.waitForURL(`${appUrl}/`);
}

/**
 * Samples a page's JS heap (CDP Performance.getMetrics) every 100 ms after a garbage collection;
 * `stop()` returns the peak in bytes.
 */
export async function sampleHeapPeak(page: Page): Promise<{ stop(): number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  await cdp.send("HeapProfiler.collectGarbage").catch(() => undefined);
  let peak = 0;
  const timer = setInterval(() => {
    void cdp.send("Performance.getMetrics").then(
      ({ metrics }) => (peak = Math.max(peak, metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? 0)),
      () => undefined,
    );
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      void cdp.detach().catch(() => undefined);
      return peak;
    },
  };
}

/**
 * The page the ceiling run loads: parts are PUT with XHR, `concurrency` at a time, as the uploaders do, to a
 * server that discards the bytes, with no app and no S3; with `hash`, each part is first read and hashed
 * with Web Crypto (SHA-256) as this project's uploader does.
 */
const SINK_PAGE = `<!doctype html><input type="file" aria-label="file"><script>
window.sendAll = async (partSize, concurrency, hash) => {
  const file = document.querySelector("input").files[0];
  const count = Math.ceil(file.size / partSize);
  let next = 0;
  const put = (body) => new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", "/part");
    xhr.upload.onprogress = () => {};
    xhr.onload = () => (xhr.status === 200 ? resolve() : reject(new Error("status " + xhr.status)));
    xhr.onerror = () => reject(new Error("network error"));
    xhr.send(body);
  });
  const worker = async () => {
    while (next < count) {
      const slice = file.slice(next * partSize, (next += 1) * partSize);
      if (hash) await crypto.subtle.digest("SHA-256", await slice.arrayBuffer());
      await put(slice);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
};
</script>`;

export interface CeilingFigures {
  seconds: number;
  chromium: CpuByKind;
  /** CPU of the discarding server (in this process, with the benchmark's own small share). */
  sinkSeconds: number;
}

/** Chromium's own ceiling on this machine: PUT every part of the file (hashed first or not) to a discarding server. */
export async function sinkCeiling(
  browser: Browser,
  videoPath: string,
  options: { partSize: number; concurrency: number; hash: boolean },
): Promise<CeilingFigures> {
  const sink = createServer((req, res) => {
    if (req.method === "GET") return res.writeHead(200, { "content-type": "text/html" }).end(SINK_PAGE);
    req.resume();
    req.on("end", () => res.writeHead(200, { etag: '"sink"' }).end());
  });
  await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
  const page = await browser.newPage();
  try {
    await page.goto(`http://127.0.0.1:${(sink.address() as AddressInfo).port}/`);
    await page.getByLabel("file").setInputFiles(videoPath);
    const chromiumBefore = chromiumCpu();
    const sinkBefore = process.cpuUsage();
    const started = performance.now();
    await page.evaluate(`sendAll(${options.partSize}, ${options.concurrency}, ${options.hash})`);
    const seconds = (performance.now() - started) / 1000;
    const sinkUsed = process.cpuUsage(sinkBefore);
    return {
      seconds,
      chromium: cpuUsed(chromiumBefore, chromiumCpu()),
      sinkSeconds: (sinkUsed.user + sinkUsed.system) / 1e6,
    };
  } finally {
    await page.close();
    await new Promise((resolve) => sink.close(resolve));
  }
}
