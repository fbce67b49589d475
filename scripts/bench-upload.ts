/**
 * Uploads a 1 GiB file through headless Chromium to the app on embedded defaults (local S3), once with
 * no faults and once with 10% of part uploads reset mid-body, and prints throughput and the page's peak
 * JS heap, then the same hashing and sending from Chromium to a server that discards the bytes: the
 * ceiling this machine's Chromium sets. Prints figures; asserts nothing. Usage: npm run bench:upload [-- --size-mib 1024]
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as bench from "./bench-support.js";

const { values } = parseArgs({ options: { "size-mib": { type: "string", default: "1024" } } });
const sizeMiB = Number(values["size-mib"]);

async function main() {
  const dir = await mkdtemp(join(tmpdir(), "bench-upload-"));
  await chmod(dir, 0o755);
  const videoPath = join(dir, "bench.webm");
  const cpuProfDir = process.env.BENCH_CPU_PROF;
  const app = await bench.startApp({
    dataDir: join(dir, "data"),
    nodeArgs: cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfDir}`] : [],
  });
  const browser = await bench.launchChromium();
  await bench.writePlayableVideo(browser, app.url, videoPath, sizeMiB);
  try {
    const page = await browser.newPage();
    await bench.signIn(page, app.url);

    const run = async (label: string, rules: unknown[]) => {
      await fetch(`${app.s3Url}/_local/faults`, { method: "PUT", body: JSON.stringify({ rules, seed: 10 }) });
      await fetch(`${app.s3Url}/_local/stats`, { method: "DELETE" });
      await page.reload();
      const heap = await bench.sampleHeapPeak(page);
      const appCpuBefore = bench.serverCpu(app.pid, "app+local S3");
      const chromiumBefore = bench.chromiumCpu();
      const started = performance.now();
      await page.getByLabel("Choose a file to attach").setInputFiles(videoPath);
      await page.getByTestId("upload-progress").and(page.locator('[data-phase="done"]')).waitFor({ timeout: 600_000 });
      const seconds = (performance.now() - started) / 1000;
      const peakHeap = heap.stop();
      const appCpu = bench.cpuUsed(appCpuBefore, bench.serverCpu(app.pid, "app+local S3"));
      const chromium = bench.cpuUsed(chromiumBefore, bench.chromiumCpu());
      const stats = (await (await fetch(`${app.s3Url}/_local/stats`)).json()) as {
        UploadPart?: { faults: number; requests: number; bytesReceived: number };
      };
      console.log(
        `  ${label.padEnd(22)} ${(sizeMiB / seconds).toFixed(0).padStart(4)} MiB/s  (${seconds.toFixed(1)} s)  peak JS heap ${(peakHeap / bench.MiB).toFixed(1)} MiB  ` +
          `part requests ${stats.UploadPart?.requests ?? 0}, faults ${stats.UploadPart?.faults ?? 0}, bytes received ${((stats.UploadPart?.bytesReceived ?? 0) / bench.MiB).toFixed(0)} MiB; ` +
          `CPU s: ${bench.describeCpu("server", appCpu)}, ${bench.describeCpu("Chromium", chromium)}`,
      );
      return seconds;
    };
    console.log(
      `browser upload benchmark: ${sizeMiB} MiB through headless Chromium to the local S3 (8 MiB parts, 4 in parallel)`,
    );
    const clean = await run("no faults", []);
    const faulty = await run("10% parts reset", [
      { op: "UploadPart", fault: "reset", probability: 0.1, afterBytes: 2 * bench.MiB },
    ]);
    const ceiling = await bench.sinkCeiling(browser, videoPath, {
      partSize: 8 * bench.MiB,
      concurrency: 4,
      hash: true,
    });
    console.log(
      `  ${"ceiling: to a sink".padEnd(22)} ${(sizeMiB / ceiling.seconds).toFixed(0).padStart(4)} MiB/s  (${ceiling.seconds.toFixed(1)} s)  ` +
        `no app, no S3: Chromium hashing and sending each part to a server that discards it; ` +
        `CPU s: sink ${ceiling.sinkSeconds.toFixed(1)}, ${bench.describeCpu("Chromium", ceiling.chromium)}`,
    );
    console.log(
      `  time with faults / without: ${(faulty / clean).toFixed(2)}  (target <= 1.30); heap target < 100 MiB + 4 x 8 MiB = 132 MiB`,
    );
  } finally {
    await browser.close();
    await app.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
