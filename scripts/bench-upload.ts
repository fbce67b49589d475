/**
 * Uploads a 1 GiB file through headless Chromium to the app on embedded defaults (local S3), once with
 * no faults and once with 10% of part uploads reset mid-body, and prints throughput and the page's peak
 * JS heap. Prints figures; asserts nothing. Usage: npm run bench:upload [-- --size-mib 1024]
 */
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { chmod, mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "@playwright/test";
import { freePort } from "../server/db/embedded.js";
import { chromiumLaunchOptions } from "../tests/support/chromium.js";
import { waitForHttp } from "../tests/support/wait.js";

const { values } = parseArgs({ options: { "size-mib": { type: "string", default: "1024" } } });
const sizeMiB = Number(values["size-mib"]);
const MiB = 1024 * 1024;

async function writeVideo(path: string): Promise<void> {
  const file = await open(path, "w");
  const chunk = Buffer.alloc(8 * MiB);
  for (let j = 0; j < chunk.length; j += 4) chunk.writeUInt32LE((j * 2654435761) >>> 0, j);
  for (let i = 0; i < sizeMiB / 8; i += 1) {
    chunk.writeUInt32LE(i, 64);
    if (i === 0) Buffer.from("\u0000\u0000\u0000\u0018ftypmp42", "latin1").copy(chunk, 0);
    await file.write(chunk);
    if (i === 0) chunk.fill(0, 0, 12);
  }
  await file.close();
}

/** CPU seconds used so far by a process and, optionally, every process whose command line matches. */
function cpuSeconds(match: (pid: number, cmdline: string) => boolean): number {
  let ticks = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
      if (!match(Number(entry), cmdline)) continue;
      const fields = readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]!.split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended while being read
    }
  }
  return ticks / 100;
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), "bench-upload-"));
  await chmod(dir, 0o755);
  const videoPath = join(dir, "bench.mp4");
  await writeVideo(videoPath);
  const port = await freePort();
  const url = `http://localhost:${port}`;
  let output = "";
  const app = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      "--import",
      "tsx",
      "server/main.ts",
    ],
    {
      env: {
        ...process.env,
        NODE_ENV: "development",
        PORT: String(port),
        DATA_DIR: join(dir, "data"),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  app.stdout.on("data", (d: Buffer) => (output += d.toString()));
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    await waitForHttp(`${url}/healthz`, { timeoutMs: 90_000, whileAlive: app });
    const s3Url = output.match(/local S3 at (http:\/\/\S+),/)![1]!;
    const page = await browser.newPage();
    await page.goto(`${url}/login`);
    await page.getByLabel("Local user name").fill("bench");
    await page.getByRole("button", { name: "Continue as a local user" }).click();
    await page.waitForURL(`${url}/`);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");

    const run = async (label: string, rules: unknown[]) => {
      await fetch(`${s3Url}/_local/faults`, { method: "PUT", body: JSON.stringify({ rules, seed: 10 }) });
      await fetch(`${s3Url}/_local/stats`, { method: "DELETE" });
      await page.reload();
      await cdp.send("HeapProfiler.collectGarbage").catch(() => undefined);
      let peakHeap = 0;
      const sampler = setInterval(() => {
        void cdp.send("Performance.getMetrics").then(({ metrics }) => {
          const used = metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? 0;
          peakHeap = Math.max(peakHeap, used);
        });
      }, 100);
      const appCpu = () => cpuSeconds((pid) => pid === app.pid);
      const browserCpu = () => cpuSeconds((_pid, cmd) => cmd.includes("chromium") || cmd.includes("chrome"));
      const cpuBefore = { app: appCpu(), browser: browserCpu() };
      const started = performance.now();
      await page.getByLabel("Choose a file to attach").setInputFiles(videoPath);
      await page.getByTestId("upload-progress").and(page.locator('[data-phase="done"]')).waitFor({ timeout: 600_000 });
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      const cpu = { app: appCpu() - cpuBefore.app, browser: browserCpu() - cpuBefore.browser };
      const stats = (await (await fetch(`${s3Url}/_local/stats`)).json()) as {
        UploadPart?: { faults: number; requests: number; bytesReceived: number };
      };
      console.log(
        `  ${label.padEnd(22)} ${(sizeMiB / seconds).toFixed(0).padStart(4)} MiB/s  (${seconds.toFixed(1)} s)  peak JS heap ${(peakHeap / MiB).toFixed(1)} MiB  ` +
          `part requests ${stats.UploadPart?.requests ?? 0}, faults ${stats.UploadPart?.faults ?? 0}, bytes received ${((stats.UploadPart?.bytesReceived ?? 0) / MiB).toFixed(0)} MiB; ` +
          `CPU s: app+local S3 ${cpu.app.toFixed(1)}, Chromium ${cpu.browser.toFixed(1)}`,
      );
      return seconds;
    };
    console.log(
      `browser upload benchmark: ${sizeMiB} MiB through headless Chromium to the local S3 (8 MiB parts, 4 in parallel)`,
    );
    const clean = await run("no faults", []);
    const faulty = await run("10% parts reset", [
      { op: "UploadPart", fault: "reset", probability: 0.1, afterBytes: 2 * MiB },
    ]);
    console.log(
      `  time with faults / without: ${(faulty / clean).toFixed(2)}  (target <= 1.30); heap target < 100 MiB + 4 x 8 MiB = 132 MiB`,
    );
  } finally {
    await browser.close();
    app.kill("SIGINT");
    await new Promise((resolve) => app.once("exit", resolve));
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
