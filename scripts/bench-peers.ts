/**
 * This project's browser uploader next to its peer, Uppy's S3 uploader, on the same machine, the same headless
 * Chromium and the same local S3 (the app's, on embedded defaults): the same file through (a) this app's UI,
 * (b) @uppy/core + @uppy/aws-s3 on a minimal page with a signing endpoint (scripts/bench-peers/), and (c) Chromium
 * PUTting every part to a server that discards it (the ceiling: with SHA-256 of each part first, as this
 * uploader does, and without). Runs alternate, round after round, without faults and with 10% of UploadPart
 * requests reset after 2 MiB; every upload's stored object is read back and its SHA-256 compared with the
 * file's, so a broken run cannot post a figure. Prints each run, then medians and ranges and a verdict per
 * target. Prints figures; asserts nothing.
 * Usage: npm run bench:peers [-- --size-mib 1024 --rounds 3 --part-mib 8 --concurrency 4 --faults both|off|on]
 * With --profile DIR, each upload also writes a V8 CPU profile of its page (.cpuprofile) and a Chromium trace
 * of every process (.trace.json, for the DevTools performance panel) into DIR; profiling slows the runs, so
 * their figures are only for comparing profiles.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { parseArgs } from "node:util";
import {
  DeleteObjectCommand,
  GetBucketCorsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketCorsCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import type { Browser, BrowserContext, Page } from "@playwright/test";
import {
  chromiumCpu,
  cpuTotal,
  cpuUsed,
  describeCpu,
  launchChromium,
  median,
  MiB,
  sampleHeapPeak,
  serverCpu,
  signIn,
  sinkCeiling,
  startApp,
  startServer,
  stopServer,
  writePlayableVideo,
  type CpuByKind,
  type RunningApp,
} from "./bench-support.js";

// The SDK's Node 20 notice would only interleave with the figures (the README covers it).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const { values } = parseArgs({
  options: {
    "size-mib": { type: "string", default: "1024" },
    rounds: { type: "string", default: "3" },
    "part-mib": { type: "string", default: "8" },
    concurrency: { type: "string", default: "4" },
    faults: { type: "string", default: "both" },
    profile: { type: "string" },
  },
});
const sizeMiB = Number(values["size-mib"]);
const rounds = Number(values.rounds);
const partMiB = Number(values["part-mib"]);
const concurrency = Number(values.concurrency);
const faultModes = { off: [false], on: [true], both: [false, true] }[values.faults!];
if (!Number.isInteger(sizeMiB) || sizeMiB <= 0 || sizeMiB % 8 !== 0) throw new Error("--size-mib: a multiple of 8");
if (!(rounds >= 1 && partMiB >= 5 && concurrency >= 1) || !faultModes)
  throw new Error("--rounds >= 1, --part-mib >= 5, --concurrency >= 1, --faults off|on|both");
const GiB = sizeMiB / 1024;
const profileDir = values.profile;
/** Trace categories: task scheduling per thread (toplevel), Mojo messages, Blink, V8, the network stack. */
const TRACE_CATEGORIES = [
  "toplevel",
  "mojom",
  "blink",
  "v8",
  "net",
  "loading",
  "disabled-by-default-devtools.timeline",
];
const BUCKET = "feedup-media";
const FAULT_RULES = [{ op: "UploadPart", fault: "reset", probability: 0.1, afterBytes: 2 * MiB }];
const uppyVersion = (name: string) =>
  (JSON.parse(readFileSync(`node_modules/@uppy/${name}/package.json`, "utf8")) as { version: string }).version;

type PeerName = "ours" | "uppy" | "ceiling-hash" | "ceiling";
const PEERS: Record<PeerName, string> = {
  ours: "this app (integrity on)",
  uppy: `Uppy ${uppyVersion("aws-s3")} (no checksums)`,
  "ceiling-hash": "ceiling: sink, SHA-256+PUT",
  ceiling: "ceiling: sink, PUT only",
};

interface RunFigures {
  peer: PeerName;
  faults: boolean;
  seconds: number;
  chromium: CpuByKind;
  server: CpuByKind;
  heapBytes?: number;
  /** UploadPart requests and injected faults, from the local S3's stats. */
  partRequests?: number;
  injected?: number;
  /** Why the run produced no figure. */
  failure?: string;
}

interface Setup {
  app: RunningApp;
  s3: S3Client;
  uppyUrl: string;
  uppyPid: number;
  browser: Browser;
  signedIn: BrowserContext;
  videoPath: string;
  videoSha256: string;
}

async function objectKeys(s3: S3Client): Promise<Set<string>> {
  const keys = new Set<string>();
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken }));
    for (const object of page.Contents ?? []) keys.add(object.Key!);
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
  return keys;
}

/**
 * The one object that appeared since `before` must hold exactly the file's bytes: read it back and compare
 * SHA-256. It is deleted afterwards, so each run's object is found the same way. Returns a failure or undefined.
 */
async function checkStoredObject(setup: Setup, before: Set<string>): Promise<string | undefined> {
  const added = [...(await objectKeys(setup.s3))].filter((key) => !before.has(key));
  if (added.length !== 1) return `expected one new object in the bucket, found ${added.length}`;
  const object = await setup.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: added[0] }));
  const hash = createHash("sha256");
  for await (const chunk of object.Body as Readable) hash.update(chunk as Buffer);
  await setup.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: added[0] }));
  const stored = hash.digest("hex");
  return stored === setup.videoSha256 ? undefined : `stored object's SHA-256 ${stored} differs from the file's`;
}

/** Starts a V8 CPU profile of `page` and a Chromium trace; `stop(base)` writes base.cpuprofile and base.trace.json. */
async function startProfiling(browser: Browser, page: Page): Promise<{ stop(base: string): Promise<void> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
  await cdp.send("Profiler.start");
  await browser.startTracing(undefined, { categories: TRACE_CATEGORIES });
  return {
    async stop(base) {
      const { profile } = await cdp.send("Profiler.stop");
      await cdp.detach();
      await mkdir(profileDir!, { recursive: true });
      await writeFile(`${base}.cpuprofile`, JSON.stringify(profile));
      await writeFile(`${base}.trace.json`, await browser.stopTracing());
    },
  };
}

/** How each uploader's page is opened and made to upload the file; `upload` resolves with a failure or undefined. */
const UPLOADERS: Record<
  "ours" | "uppy",
  { open(setup: Setup, page: Page): Promise<unknown>; upload(setup: Setup, page: Page): Promise<string | undefined> }
> = {
  ours: {
    open: (setup, page) => page.goto(setup.app.url),
    async upload(setup, page) {
      await page.getByLabel("Choose a file to attach").setInputFiles(setup.videoPath);
      const progress = page.getByTestId("upload-progress");
      await progress
        .and(page.locator('[data-phase="done"], [data-phase="failed"], [data-phase="cancelled"]'))
        .waitFor({ timeout: 900_000 });
      const phase = await progress.getAttribute("data-phase");
      return phase === "done" ? undefined : `the upload ended "${phase}": ${await progress.innerText()}`;
    },
  },
  uppy: {
    open: (setup, page) => page.goto(`${setup.uppyUrl}/?partSize=${partMiB * MiB}&concurrency=${concurrency}`),
    async upload(setup, page) {
      await page.getByLabel("file").setInputFiles(setup.videoPath);
      const outcome = (await page.evaluate("window.uploadDone")) as { ok: boolean; error?: string };
      return outcome.ok ? undefined : `Uppy reported: ${outcome.error}`;
    },
  },
};

/** Runs one upload through a page (this app's or Uppy's) with or without faults, measuring it and checking the result. */
async function runUpload(setup: Setup, peer: "ours" | "uppy", faults: boolean, seed: number): Promise<RunFigures> {
  const { app } = setup;
  const page = await (peer === "ours" ? setup.signedIn : setup.browser).newPage();
  try {
    await UPLOADERS[peer].open(setup, page);
    await fetch(`${app.s3Url}/_local/faults`, {
      method: "PUT",
      body: JSON.stringify({ rules: faults ? FAULT_RULES : [], seed }),
    });
    await fetch(`${app.s3Url}/_local/stats`, { method: "DELETE" });
    const before = await objectKeys(setup.s3);
    const heap = await sampleHeapPeak(page);
    const serverNow = () =>
      new Map([
        ...serverCpu(app.pid, "app+local S3"),
        ...(peer === "uppy" ? serverCpu(setup.uppyPid, "Uppy signer") : []),
      ]);
    const profiler = profileDir ? await startProfiling(setup.browser, page) : undefined;
    const serverBefore = serverNow();
    const chromiumBefore = chromiumCpu();
    const started = performance.now();
    const uploadFailure = await UPLOADERS[peer].upload(setup, page);
    const seconds = (performance.now() - started) / 1000;
    const chromium = cpuUsed(chromiumBefore, chromiumCpu());
    const server = cpuUsed(serverBefore, serverNow());
    const heapBytes = heap.stop();
    await profiler?.stop(join(profileDir!, `${peer}-${faults ? "resets" : "clean"}-${seed}`));
    const stats = (await (await fetch(`${app.s3Url}/_local/stats`)).json()) as {
      UploadPart?: { faults: number; requests: number };
    };
    await fetch(`${app.s3Url}/_local/faults`, { method: "DELETE" });
    const failure = uploadFailure ?? (await checkStoredObject(setup, before));
    return {
      peer,
      faults,
      seconds,
      chromium,
      server,
      heapBytes,
      partRequests: stats.UploadPart?.requests ?? 0,
      injected: stats.UploadPart?.faults ?? 0,
      ...(failure ? { failure } : {}),
    };
  } finally {
    await page.close();
  }
}

async function runCeiling(setup: Setup, hash: boolean): Promise<RunFigures> {
  const figures = await sinkCeiling(setup.browser, setup.videoPath, { partSize: partMiB * MiB, concurrency, hash });
  return {
    peer: hash ? "ceiling-hash" : "ceiling",
    faults: false,
    seconds: figures.seconds,
    chromium: figures.chromium,
    server: new Map([["sink", figures.sinkSeconds]]),
  };
}

const rate = (run: RunFigures) => sizeMiB / run.seconds;
const fixed = (n: number, digits = 1) => n.toFixed(digits);

function describeRun(run: RunFigures): string {
  const head = `  ${PEERS[run.peer].padEnd(30)} ${run.faults ? "10% resets" : "no faults "}`;
  if (run.failure) return `${head}  FAILED: ${run.failure}`;
  const parts =
    run.partRequests === undefined
      ? ""
      : `  part requests ${run.partRequests}, resets ${run.injected}, object checked;`;
  const heap = run.heapBytes === undefined ? "" : `  heap ${fixed(run.heapBytes / MiB)} MiB;`;
  return (
    `${head} ${fixed(rate(run), 0).padStart(4)} MiB/s (${fixed(run.seconds)} s)${heap}${parts}` +
    `  CPU-s/GiB: ${describeCpu("Chromium", run.chromium, 1 / GiB)}, ${describeCpu("server", run.server, 1 / GiB)}`
  );
}

/** "median (min–max)" of a figure over the runs that succeeded. */
function spread(values: number[], digits: number): string {
  if (values.length === 0) return "–";
  return `${fixed(median(values), digits)} (${fixed(Math.min(...values), digits)}–${fixed(Math.max(...values), digits)})`;
}

function summarise(all: RunFigures[]): void {
  const ok = (peer: PeerName, faults: boolean) =>
    all.filter((r) => r.peer === peer && r.faults === faults && !r.failure);
  const failed = (peer: PeerName) => all.filter((r) => r.peer === peer && r.failure).length;
  console.log(
    `\nmedians (min–max) over the runs that stored a correct object; CPU-s per GiB of file; server = app process with its local S3 (+ PostgreSQL, + Uppy's signer for Uppy; the sink for the ceilings)`,
  );
  console.log(
    `  ${"".padEnd(30)} ${"".padEnd(10)} ${"MiB/s".padEnd(18)} ${"Chromium CPU-s".padEnd(18)} ${"server CPU-s".padEnd(18)} ${"Chromium+server".padEnd(18)} peak JS heap MiB`,
  );
  for (const faults of faultModes!) {
    for (const peer of Object.keys(PEERS) as PeerName[]) {
      const runs = ok(peer, faults);
      if (runs.length === 0 && (faults || failed(peer) === 0)) continue;
      const heaps = runs.flatMap((r) => (r.heapBytes === undefined ? [] : [r.heapBytes / MiB]));
      console.log(
        `  ${PEERS[peer].padEnd(30)} ${(faults ? "10% resets" : "no faults").padEnd(10)} ` +
          `${spread(runs.map(rate), 0).padEnd(18)} ${spread(
            runs.map((r) => cpuTotal(r.chromium) / GiB),
            1,
          ).padEnd(18)} ${spread(
            runs.map((r) => cpuTotal(r.server) / GiB),
            1,
          ).padEnd(18)} ${spread(
            runs.map((r) => (cpuTotal(r.chromium) + cpuTotal(r.server)) / GiB),
            1,
          ).padEnd(18)} ${spread(heaps, 1)}` +
          (runs.length < rounds ? `  (${runs.length} of ${rounds} runs)` : ""),
      );
    }
  }
  const verdict = (what: string, ours: number[], uppy: number[], target: string, met: (ratio: number) => boolean) => {
    if (ours.length === 0 || uppy.length === 0) return console.log(`  verdict: ${what}: no figures`);
    const ratio = median(ours) / median(uppy);
    const failures = failed("ours") > 0 ? ` (but ${failed("ours")} of this app's runs FAILED)` : "";
    const state = met(ratio) && !failures ? "met" : "NOT MET";
    console.log(
      `  verdict: ${what}: this app ${fixed(median(ours))} / Uppy ${fixed(median(uppy))} = ${fixed(ratio, 2)}x (target ${target}): ${state}${failures}`,
    );
  };
  console.log("");
  for (const faults of faultModes!) {
    verdict(
      `throughput, ${faults ? "10% of parts reset" : "no faults"}, MiB/s`,
      ok("ours", faults).map(rate),
      ok("uppy", faults).map(rate),
      ">= 1.0x",
      (r) => r >= 1,
    );
  }
  const cpuFaults = faultModes!.includes(false) ? false : true;
  verdict(
    `Chromium CPU-s per GiB, ${cpuFaults ? "10% of parts reset" : "no faults"}`,
    ok("ours", cpuFaults).map((r) => cpuTotal(r.chromium) / GiB),
    ok("uppy", cpuFaults).map((r) => cpuTotal(r.chromium) / GiB),
    "<= 1.2x",
    (r) => r <= 1.2,
  );
  const heapLimit = 100 + concurrency * partMiB;
  const heaps = all.filter((r) => r.peer === "ours" && !r.failure).map((r) => r.heapBytes! / MiB);
  if (heaps.length > 0) {
    const peak = Math.max(...heaps);
    console.log(
      `  verdict: peak JS heap of this app's page: ${fixed(peak)} MiB at most (target < 100 MiB + ${concurrency} x ${partMiB} MiB = ${heapLimit} MiB): ${peak < heapLimit ? "met" : "NOT MET"}`,
    );
  }
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), "bench-peers-"));
  await chmod(dir, 0o755);
  const videoPath = join(dir, "bench.webm");
  const app = await startApp({
    dataDir: join(dir, "data"),
    env: { UPLOAD_PART_SIZE: `${partMiB}MiB`, UPLOAD_CONCURRENCY: String(concurrency), S3_BUCKET: BUCKET },
  });
  const s3 = new S3Client({
    region: "us-east-1",
    endpoint: app.s3Url,
    forcePathStyle: true,
    credentials: app.s3Credentials,
  });
  let uppy: Awaited<ReturnType<typeof startServer>> | undefined;
  let browser: Browser | undefined;
  try {
    uppy = await startServer(["scripts/bench-peers/uppy-server.ts"], {
      S3_URL: app.s3Url,
      S3_BUCKET: BUCKET,
      S3_ACCESS_KEY_ID: app.s3Credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: app.s3Credentials.secretAccessKey,
    });
    // The app set the bucket's CORS for its own origin; Uppy's page has another one.
    const cors = await s3.send(new GetBucketCorsCommand({ Bucket: BUCKET }));
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: BUCKET,
        CORSConfiguration: {
          CORSRules: [
            ...(cors.CORSRules ?? []),
            {
              AllowedOrigins: [uppy.url],
              AllowedMethods: ["GET", "HEAD", "PUT", "POST", "DELETE"],
              AllowedHeaders: ["*"],
              ExposeHeaders: ["ETag"],
            },
          ],
        },
      }),
    );
    browser = await launchChromium();
    const videoSha256 = await writePlayableVideo(browser, app.url, videoPath, sizeMiB);
    const signedIn = await browser.newContext();
    await signIn(await signedIn.newPage(), app.url);
    const setup: Setup = {
      app,
      s3,
      uppyUrl: uppy.url,
      uppyPid: uppy.child.pid!,
      browser,
      signedIn,
      videoPath,
      videoSha256,
    };

    const load = () =>
      loadavg()
        .map((l) => l.toFixed(2))
        .join(", ");
    console.log(
      `peer benchmark: ${sizeMiB} MiB in ${partMiB} MiB parts, ${concurrency} in parallel, ${rounds} rounds; ` +
        `${availableParallelism()} cores; headless Chromium ${browser.version()}; Uppy core ${uppyVersion("core")}, aws-s3 ${uppyVersion("aws-s3")}; load average ${load()}` +
        (profileDir ? `; PROFILING into ${profileDir}: figures only for comparing profiles` : ""),
    );
    const runs: RunFigures[] = [];
    for (let round = 0; round < rounds; round += 1) {
      console.log(`round ${round + 1} (load average ${load()})`);
      const steps: Array<() => Promise<RunFigures>> = [];
      for (const faults of faultModes!) {
        const peers: Array<() => Promise<RunFigures>> = [
          () => runUpload(setup, "ours", faults, round + 1),
          () => runUpload(setup, "uppy", faults, round + 1),
          ...(faults ? [] : [() => runCeiling(setup, true), () => runCeiling(setup, false)]),
        ];
        // Alternating order, so neither peer always runs first (a cold cache) or last.
        steps.push(...peers.map((_, i) => peers[(i + round) % peers.length]!));
      }
      for (const step of steps) {
        const run = await step();
        runs.push(run);
        console.log(describeRun(run));
      }
    }
    summarise(runs);
    console.log(`  load average at the end: ${load()}`);
  } finally {
    await browser?.close();
    if (uppy) await stopServer(uppy.child);
    s3.destroy();
    await app.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
