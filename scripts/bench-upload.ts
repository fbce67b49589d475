/**
 * Uploads a 1 GiB file through headless Chromium to the app on embedded defaults (local S3), once with
 * no faults and once with 10% of part uploads reset mid-body, and prints throughput and the page's peak
 * JS heap, then the same hashing and sending from Chromium to a server that discards the bytes: the
 * ceiling this machine's Chromium sets. Prints figures; asserts nothing. Usage: npm run bench:upload [-- --size-mib 1024]
 */
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { chmod, mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser } from "@playwright/test";
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

/** CPU seconds (user + system) a process has used so far, from /proc. */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks of 1/100 s
}

/** CPU seconds used so far by Chromium's processes, by kind (browser, renderer, network, gpu, ...). */
function chromiumCpuSeconds(): Map<string, number> {
  const byKind = new Map<string, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
      if (!/chrom(e|ium)/.test(cmdline)) continue;
      const type = cmdline.match(/--type=(\S+)/)?.[1] ?? "browser";
      const kind = type === "utility" ? (cmdline.includes("NetworkService") ? "network" : "utility") : type;
      byKind.set(kind, (byKind.get(kind) ?? 0) + processCpuSeconds(Number(entry)));
    } catch {
      // the process ended while being read
    }
  }
  return byKind;
}

/** What Chromium used between two readings: total, and the main kinds of process. */
function describeChromiumCpu(before: Map<string, number>, after: Map<string, number>): string {
  const used = [...after].map(([kind, seconds]) => [kind, seconds - (before.get(kind) ?? 0)] as const);
  const total = used.reduce((sum, [, seconds]) => sum + seconds, 0);
  const parts = used.filter(([, seconds]) => seconds >= 0.05).map(([kind, s]) => `${kind} ${s.toFixed(1)}`);
  return `Chromium ${total.toFixed(1)} (${parts.join(", ")})`;
}

/**
 * The page the ceiling run loads: each part is hashed with Web Crypto and PUT with XHR, 4 at a time,
 * exactly as the uploader does, but to a server that discards the bytes, with no app and no S3.
 */
const SINK_PAGE = `<!doctype html><input type="file" aria-label="file"><script>
window.sendAll = async (partSize, concurrency) => {
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
      await crypto.subtle.digest("SHA-256", await slice.arrayBuffer());
      await put(slice);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
};
</script>`;

/** Chromium's own ceiling on this machine: hash + PUT every part of the file to a discarding server. */
async function sinkCeiling(browser: Browser, videoPath: string): Promise<string> {
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
    const chromiumBefore = chromiumCpuSeconds();
    const sinkBefore = process.cpuUsage();
    const started = performance.now();
    await page.evaluate(`sendAll(${8 * MiB}, 4)`);
    const seconds = (performance.now() - started) / 1000;
    const sinkUsed = process.cpuUsage(sinkBefore);
    return (
      `  ${"ceiling: to a sink".padEnd(22)} ${(sizeMiB / seconds).toFixed(0).padStart(4)} MiB/s  (${seconds.toFixed(1)} s)  ` +
      `no app, no S3: Chromium hashing and sending each part to a server that discards it; ` +
      `CPU s: sink ${((sinkUsed.user + sinkUsed.system) / 1e6).toFixed(1)}, ${describeChromiumCpu(chromiumBefore, chromiumCpuSeconds())}`
    );
  } finally {
    await page.close();
    await new Promise((resolve) => sink.close(resolve));
  }
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
      const appCpuBefore = processCpuSeconds(app.pid!);
      const chromiumBefore = chromiumCpuSeconds();
      const started = performance.now();
      await page.getByLabel("Choose a file to attach").setInputFiles(videoPath);
      await page.getByTestId("upload-progress").and(page.locator('[data-phase="done"]')).waitFor({ timeout: 600_000 });
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      const appCpu = processCpuSeconds(app.pid!) - appCpuBefore;
      const chromiumCpu = describeChromiumCpu(chromiumBefore, chromiumCpuSeconds());
      const stats = (await (await fetch(`${s3Url}/_local/stats`)).json()) as {
        UploadPart?: { faults: number; requests: number; bytesReceived: number };
      };
      console.log(
        `  ${label.padEnd(22)} ${(sizeMiB / seconds).toFixed(0).padStart(4)} MiB/s  (${seconds.toFixed(1)} s)  peak JS heap ${(peakHeap / MiB).toFixed(1)} MiB  ` +
          `part requests ${stats.UploadPart?.requests ?? 0}, faults ${stats.UploadPart?.faults ?? 0}, bytes received ${((stats.UploadPart?.bytesReceived ?? 0) / MiB).toFixed(0)} MiB; ` +
          `CPU s: app+local S3 ${appCpu.toFixed(1)}, ${chromiumCpu}`,
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
    console.log(await sinkCeiling(browser, videoPath));
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
