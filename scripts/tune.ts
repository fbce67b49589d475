/**
 * npm run tune -- --file PATH [--link LATENCY_MS,UPLOAD_MBIT] [--faults reset10]
 *   [--part-sizes 5,8,16,32,64] [--concurrency 1,2,4,6,8] [--runs 2] [--budget 9] [--out tune-report.html]
 *
 * Uploads the file through headless Chromium to the app on embedded defaults over a grid of part sizes ×
 * concurrency, `--runs` times each, and writes an HTML report (heat maps of throughput and CPU per GiB,
 * throughput by concurrency, every cell's figures) with a recommendation: "on this link: 16 MiB × 6".
 *
 * The app is started once per part size (UPLOAD_PART_SIZE decides how the server plans and signs parts).
 * Concurrency is only handed to the browser with the upload (UPLOAD_CONCURRENCY → the `concurrency` of
 * POST /api/uploads' answer), so each run sets it on that answer instead of restarting the app: the browser
 * runs exactly as it would with UPLOAD_CONCURRENCY set. Runs go round the concurrencies, so a cell's runs are
 * apart in time. `--link` throttles the page with Chrome's network emulation (CDP); `--faults resetN` resets
 * N% of part uploads mid-body at the local S3, `errorN` answers N% with 500. `--budget` (minutes) bounds
 * the time: every cell gets one run, further runs only while they fit (the report says how many each got).
 */
import { existsSync, statSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DeleteObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import type { Page } from "@playwright/test";
import {
  chromiumCpu,
  cpuTotal,
  cpuUsed,
  launchChromium,
  serverCpu,
  signIn,
  startApp,
  type RunningApp,
} from "./bench-support.js";
import { recommend, roundFits, summarise, type Run } from "./tune/analysis.js";
import { progressBar } from "./tune/progress.js";
import { renderReport } from "./tune/report.js";

const USAGE =
  "usage: npm run tune -- --file PATH [--link LATENCY_MS,UPLOAD_MBIT] [--faults resetN|errorN] " +
  "[--part-sizes 5,8,16,32,64] [--concurrency 1,2,4,6,8] [--runs 2] [--budget 9] [--out tune-report.html]";
const MiB = 1024 * 1024;

function fail(message: string): never {
  console.error(`tune: ${message}\n${USAGE}`);
  process.exit(2);
}

const numbers = (text: string, what: string, min: number, max: number) => {
  const list = text.split(",").map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < min || n > max))
    fail(`--${what} must be whole numbers from ${min} to ${max}, comma-separated`);
  return [...new Set(list)].sort((a, b) => a - b);
};

function parseOptions() {
  const { values } = parseArgs({
    options: {
      file: { type: "string" },
      link: { type: "string" },
      faults: { type: "string" },
      "part-sizes": { type: "string", default: "5,8,16,32,64" },
      concurrency: { type: "string", default: "1,2,4,6,8" },
      runs: { type: "string", default: "2" },
      budget: { type: "string", default: "9" },
      out: { type: "string", default: "tune-report.html" },
    },
  });
  if (!values.file || !existsSync(values.file) || !statSync(values.file).isFile()) fail("--file must name a file");
  const link = values.link?.match(/^(\d+),(\d+(?:\.\d+)?)$/);
  if (values.link && !link) fail("--link must be LATENCY_MS,UPLOAD_MBIT, e.g. 40,50");
  const faults = values.faults?.match(/^(reset|error)(\d{1,2})$/);
  if (values.faults && !faults) fail("--faults must be resetN or errorN, N a percentage from 1 to 99");
  return {
    file: resolve(values.file),
    link: link ? { latencyMs: Number(link[1]), uploadMbit: Number(link[2]) } : undefined,
    faults: faults ? { kind: faults[1] as "reset" | "error", percent: Number(faults[2]) } : undefined,
    // S3's smallest part is 5 MiB (the app refuses less at start); 5 GiB its largest.
    partSizesMiB: numbers(values["part-sizes"], "part-sizes", 5, 5120),
    concurrencies: numbers(values.concurrency, "concurrency", 1, 32),
    runs: numbers(values.runs, "runs", 1, 10)[0]!,
    budgetMs: numbers(values.budget, "budget", 1, 24 * 60)[0]! * 60_000,
    out: resolve(values.out),
  };
}

type Options = ReturnType<typeof parseOptions>;

/** The fault rules of `--faults`, for the local S3. */
function faultRules(faults: Options["faults"]) {
  if (!faults) return [];
  const probability = faults.percent / 100;
  return faults.kind === "reset"
    ? [{ op: "UploadPart", fault: "reset", probability, afterBytes: MiB }]
    : [{ op: "UploadPart", fault: "status", status: 500, probability }];
}

async function localS3(app: RunningApp, path: string, init?: RequestInit) {
  const response = await fetch(`${app.s3Url}/_local/${path}`, init);
  if (!response.ok) throw new Error(`local S3 /_local/${path}: ${response.status} ${await response.text()}`);
  return response;
}

/**
 * Controls the page through CDP: throttles its network as Chrome's DevTools do (when a link is given), and
 * sets `concurrency` on the answers of POST /api/uploads. Only that URL is intercepted (Fetch domain with
 * a pattern), in Chromium itself: intercepting with page.route would pass every part upload through
 * Playwright and slow it down several times.
 */
async function controlPage(page: Page, link: Options["link"]) {
  const cdp = await page.context().newCDPSession(page);
  if (link) {
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: link.latencyMs,
      downloadThroughput: -1,
      uploadThroughput: (link.uploadMbit * 1e6) / 8,
    });
  }
  let concurrency = 1;
  cdp.on("Fetch.requestPaused", (paused) => {
    void (async () => {
      if (paused.request.method !== "POST" || paused.responseStatusCode === undefined)
        return cdp.send("Fetch.continueRequest", { requestId: paused.requestId });
      const { body, base64Encoded } = await cdp.send("Fetch.getResponseBody", { requestId: paused.requestId });
      const upload = JSON.parse(base64Encoded ? Buffer.from(body, "base64").toString("utf8") : body) as object;
      await cdp.send("Fetch.fulfillRequest", {
        requestId: paused.requestId,
        responseCode: paused.responseStatusCode,
        responseHeaders: (paused.responseHeaders ?? []).filter((h) => h.name.toLowerCase() !== "content-length"),
        body: Buffer.from(JSON.stringify({ ...upload, concurrency })).toString("base64"),
      });
    })();
  });
  await cdp.send("Fetch.enable", { patterns: [{ urlPattern: "*/api/uploads", requestStage: "Response" }] });
  return {
    setConcurrency(value: number) {
      concurrency = value;
    },
  };
}

/** Removes what the run stored, so a long tuning session does not fill the disk. */
async function deleteStoredObjects(app: RunningApp) {
  const client = new S3Client({
    endpoint: app.s3Url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: app.s3Credentials,
  });
  try {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: "feedup-media", Prefix: "uploads/" }));
    for (const object of listed.Contents ?? [])
      await client.send(new DeleteObjectCommand({ Bucket: "feedup-media", Key: object.Key! }));
  } finally {
    client.destroy();
  }
}

/** Uploads the file once through the page with `concurrency` parts at a time; returns its figures. */
async function uploadOnce(
  page: Page,
  control: Awaited<ReturnType<typeof controlPage>>,
  app: RunningApp,
  options: Options,
  partSizeMiB: number,
  concurrency: number,
) {
  control.setConcurrency(concurrency);
  await page.goto(app.url);
  await localS3(app, "stats", { method: "DELETE" });
  const before = { app: serverCpu(app.pid, "app"), browser: chromiumCpu() };
  const started = performance.now();
  await page.getByLabel("Choose a file to attach").setInputFiles(options.file);
  const progress = page.getByTestId("upload-progress");
  const outcome = await Promise.race([
    progress
      .and(page.locator('[data-phase="done"]'))
      .waitFor({ timeout: 3_600_000 })
      .then(() => "done"),
    progress
      .and(page.locator('[data-phase="failed"]'))
      .waitFor({ timeout: 3_600_000 })
      .then(() => "failed"),
  ]);
  const seconds = (performance.now() - started) / 1000;
  const appCpu = cpuTotal(cpuUsed(before.app, serverCpu(app.pid, "app")));
  const browserCpu = cpuTotal(cpuUsed(before.browser, chromiumCpu()));
  const stats = (await (await localS3(app, "stats")).json()) as { UploadPart?: { requests: number; faults: number } };
  await deleteStoredObjects(app);
  return {
    partSizeMiB,
    concurrency,
    completed: outcome === "done",
    seconds,
    bytes: statSync(options.file).size,
    appCpuSeconds: appCpu,
    browserCpuSeconds: browserCpu,
    partRequests: stats.UploadPart?.requests ?? 0,
    faults: stats.UploadPart?.faults ?? 0,
  } satisfies Run;
}

async function main() {
  const options = parseOptions();
  const fileBytes = statSync(options.file).size;
  const total = options.partSizesMiB.length * options.concurrencies.length * options.runs;
  const startedAt = new Date();
  const dir = await mkdtemp(join(os.tmpdir(), "feedup-tune-"));
  await chmod(dir, 0o755); // embedded PostgreSQL, when run as root, runs as another user
  const browser = await launchChromium();
  const loadBefore = os.loadavg()[0]!;
  const runs: Run[] = [];
  /** Runs left out to stay within the budget. */
  let skipped = 0;
  console.error(
    `tune: ${basename(options.file)} (${(fileBytes / MiB).toFixed(0)} MiB), ${options.partSizesMiB.length} part sizes × ` +
      `${options.concurrencies.length} concurrencies × ${options.runs} runs = ${total} uploads`,
  );
  const progress = progressBar(total);
  try {
    const page = await browser.newPage();
    const control = await controlPage(page, options.link);
    // The report is written after the runs: a little of the budget is kept for it.
    const deadline = startedAt.getTime() + options.budgetMs - 15_000;
    for (const [index, partSizeMiB] of options.partSizesMiB.entries()) {
      const shareStarted = Date.now();
      const shareMs = (deadline - shareStarted) / (options.partSizesMiB.length - index);
      let lastRoundMs = 0;
      progress.update(runs.length, `starting the app with ${partSizeMiB} MiB parts`);
      const app = await startApp({ dataDir: join(dir, "data"), env: { UPLOAD_PART_SIZE: `${partSizeMiB}MiB` } });
      try {
        if (index === 0) await signIn(page, app.url, "tune");
        await localS3(app, "faults", {
          method: "PUT",
          body: JSON.stringify({ rules: faultRules(options.faults), seed: 7 }),
        });
        for (let run = 1; run <= options.runs; run += 1) {
          if (run > 1 && !roundFits(Date.now() - shareStarted, shareMs, lastRoundMs)) {
            const left = (options.runs - run + 1) * options.concurrencies.length;
            progress.skip(left);
            skipped += left;
            break;
          }
          const roundStarted = Date.now();
          for (const concurrency of options.concurrencies) {
            progress.update(runs.length, `${partSizeMiB} MiB × ${concurrency}, run ${run}`);
            const result = await uploadOnce(page, control, app, options, partSizeMiB, concurrency);
            runs.push(result);
            const figure = result.completed ? `${(fileBytes / MiB / result.seconds).toFixed(1)} MiB/s` : "failed";
            progress.update(runs.length, `${partSizeMiB} MiB × ${concurrency}, run ${run}: ${figure}`);
          }
          lastRoundMs = Date.now() - roundStarted;
        }
      } finally {
        await app.stop();
      }
    }
  } finally {
    await browser.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
  const seconds = (Date.now() - startedAt.getTime()) / 1000;
  progress.done(
    `finished in ${Math.round(seconds)} s${skipped ? ` (${skipped} of ${total} runs left out to stay within --budget ${options.budgetMs / 60_000} min)` : ""}`,
  );

  const cells = summarise(runs, options.partSizesMiB, options.concurrencies);
  const recommendation = recommend(cells);
  const cpus = os.cpus();
  const html = renderReport({
    fileName: basename(options.file),
    fileBytes,
    link: options.link
      ? `${options.link.latencyMs} ms latency, ${options.link.uploadMbit} Mbit/s up (Chrome network emulation)`
      : "unthrottled (loopback)",
    faults: options.faults
      ? `${options.faults.percent}% of part uploads ${options.faults.kind === "reset" ? "reset mid-body" : "answered 500"}`
      : "none",
    machine: `${cpus.length} × ${cpus[0]?.model ?? "CPU"}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB, Node ${process.version}, load ${loadBefore.toFixed(1)} → ${os.loadavg()[0]!.toFixed(1)}`,
    startedAt,
    seconds,
    runsPerCell: options.runs,
    runsLeftOut: skipped,
    budgetMinutes: options.budgetMs / 60_000,
    partSizesMiB: options.partSizesMiB,
    concurrencies: options.concurrencies,
    cells,
    runs,
    recommendation,
    chartLibrary: await readFile(resolve("node_modules/echarts/dist/echarts.min.js"), "utf8"),
  });
  await writeFile(options.out, html);
  for (const cell of cells) {
    const figure =
      cell.throughput === undefined
        ? "no completed run"
        : `${cell.throughput.toFixed(1)} MiB/s, ${cell.cpuPerGiB!.toFixed(1)} CPU-s/GiB`;
    console.log(`  ${String(cell.partSizeMiB).padStart(4)} MiB × ${String(cell.concurrency).padEnd(2)} ${figure}`);
  }
  console.log(recommendation ? recommendation.line : "no cell completed every run: no recommendation");
  console.log(`report: ${options.out}`);
}

await main();
