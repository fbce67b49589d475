/**
 * Load: `--users` people upload a `--size-mib` file each, all at once, through two app processes that share
 * one PostgreSQL (embedded, its own) and one local S3 process, with `--reset` of part requests reset
 * mid-body by the local S3. Each uploader is the browser's own (app/upload's FileUpload, run in Node with a
 * node:http part transport), and its API calls alternate between the two instances. Afterwards every
 * stored object's SHA-256 is compared with its source, and the ledger with S3.
 * Prints: uploads completed, corrupt, lost; p50/p95/p99 of the sign, record and complete calls; each
 * instance's CPU and RSS; database connections in use. Prints figures; asserts nothing.
 * Usage: npm run bench:load [-- --users 20 --size-mib 256 --reset 0.1]
 */
import { readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import pg from "pg";
import type { ApiCallName } from "../app/upload/api.js";
import type { UploadState } from "../app/upload/uploader.js";
import { startSharedBackends } from "../tests/support/backends.js";
import { fileFromDisk, nodeFileUpload, signInForUploads } from "../tests/support/node-uploader.js";
import { startMigratedPostgres } from "../tests/support/postgres.js";
import type { RunningApp } from "../tests/support/processes.js";
import { MiB, cpuTotal, cpuUsed, percentile, processTreeCpu, writeVideo } from "./bench-support.js";

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "20" },
    "size-mib": { type: "string", default: "256" },
    reset: { type: "string", default: "0.1" },
  },
});
const users = Number(values.users);
const sizeMiB = Number(values["size-mib"]);
const resetShare = Number(values.reset);
if (!(users >= 1) || !(sizeMiB >= 8) || sizeMiB % 8 !== 0 || !(resetShare >= 0 && resetShare < 1))
  throw new Error("usage: --users N (>= 1) --size-mib M (a multiple of 8) --reset P (0 to 1)");

const SAMPLE_EVERY_MS = 250;
// This process is an S3 client too (checking what was stored); the SDK's Node version notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** The app's own settings, as in production, except that these many uploads from one person are allowed. */
const APP_SETTINGS = {
  UPLOAD_PART_SIZE: "8MiB",
  UPLOAD_RATE_LIMIT: "1000/1m",
  UPLOAD_MAX_UNFINISHED: "1000",
};

/** Resident memory of a process now and at its peak, in bytes (from /proc). */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))?.[1] ?? 0) * 1024;
  return { rss: kib("VmRSS"), peak: kib("VmHWM") };
}

const ownCpu = (pid: number) => processTreeCpu(pid, (p) => (p.pid === pid ? "process" : undefined));

/** Database connections: open ones and those running a statement, sampled while the uploads run. */
function sampleConnections(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  const samples: Array<{ open: number; active: number }> = [];
  let timer: ReturnType<typeof setInterval> | undefined;
  let sampling: Promise<unknown> = Promise.resolve();
  return {
    async start() {
      await client.connect();
      timer = setInterval(() => {
        sampling = client
          .query<{ open: string; active: string }>(
            `select count(*) as open, count(*) filter (where state = 'active') as active
             from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
          )
          .then(({ rows: [row] }) => samples.push({ open: Number(row!.open), active: Number(row!.active) }))
          .catch(() => undefined);
      }, SAMPLE_EVERY_MS);
    },
    async stop() {
      clearInterval(timer);
      await sampling;
      await client.end();
      return samples;
    },
  };
}

function describeLatencies(name: string, ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  if (sorted.length === 0) return `  ${name.padEnd(9)} no calls`;
  const at = (p: number) => `${percentile(sorted, p).toFixed(1)} ms`.padStart(9);
  return `  ${name.padEnd(9)} p50 ${at(50)}  p95 ${at(95)}  p99 ${at(99)}  max ${at(100)}  (${sorted.length} calls)`;
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), "bench-load-"));
  await chmod(dir, 0o755);
  console.log(
    `load benchmark: ${users} uploaders x ${sizeMiB} MiB, 2 app instances, ${resetShare * 100}% of part requests reset`,
  );
  const sources: Array<{ path: string; sha256: string }> = [];
  for (let i = 0; i < users; i += 1) {
    const path = join(dir, `user-${i}.mp4`);
    sources.push({ path, sha256: await writeVideo(path, sizeMiB, i + 1) });
  }
  const cluster = await startMigratedPostgres(join(dir, "postgres"));
  const backends = await startSharedBackends({ databaseUrl: cluster.url });
  const apps: RunningApp[] = [];
  try {
    apps.push(...(await Promise.all([backends.startApp(APP_SETTINGS), backends.startApp(APP_SETTINGS)])));
    const latencies = new Map<ApiCallName, number[]>();
    const appLatencies = new Map<ApiCallName, number[]>();
    const failedCalls = new Map<string, number>();
    const onCall = (name: ApiCallName, ms: number, status: number, appMs?: number) => {
      if (status >= 200 && status < 300) {
        latencies.set(name, [...(latencies.get(name) ?? []), ms]);
        if (appMs !== undefined) appLatencies.set(name, [...(appLatencies.get(name) ?? []), appMs]);
      } else failedCalls.set(`${name} ${status}`, (failedCalls.get(`${name} ${status}`) ?? 0) + 1);
    };
    const uploads = await Promise.all(
      sources.map(async (source, i) => {
        const { cookie, userId } = await signInForUploads(apps[i % 2]!.url, `load-${i}`);
        let calls = i;
        const appUrl = () => apps[calls++ % 2]!.url; // each call to the other instance than the last
        return {
          source,
          ...nodeFileUpload(await fileFromDisk(source.path, "video/mp4"), { appUrl, cookie, userId, onCall }),
        };
      }),
    );
    await backends.setFaults(
      resetShare > 0 ? [{ op: "UploadPart", fault: "reset", probability: resetShare, afterBytes: 2 * MiB }] : [],
    );
    await backends.resetStats();

    const connections = sampleConnections(cluster.url);
    await connections.start();
    const cpuBefore = apps.map((app) => ownCpu(app.pid));
    const s3CpuBefore = ownCpu(backends.s3Process.pid);
    const rssSamples: number[][] = apps.map(() => []);
    const rssTimer = setInterval(
      () => apps.forEach((app, k) => rssSamples[k]!.push(memory(app.pid).rss)),
      SAMPLE_EVERY_MS,
    );
    const started = performance.now();
    const driverCpuBefore = process.cpuUsage();
    // The latencies are measured here, so this process's own event-loop lag is part of them.
    const driverLag = monitorEventLoopDelay({ resolution: 10 });
    driverLag.enable();
    const states: UploadState[] = await Promise.all(uploads.map(({ upload }) => upload.start()));
    const seconds = (performance.now() - started) / 1000;
    const driverCpu = process.cpuUsage(driverCpuBefore);
    driverLag.disable();
    clearInterval(rssTimer);
    const connectionSamples = await connections.stop();
    const appCpu = apps.map((app, k) => cpuTotal(cpuUsed(cpuBefore[k]!, ownCpu(app.pid))));
    const s3Cpu = cpuTotal(cpuUsed(s3CpuBefore, ownCpu(backends.s3Process.pid)));
    const stats = await backends.stats();

    // Every upload's object against its source, and its ledger against S3.
    let completed = 0;
    let corrupt = 0;
    let lost = 0;
    for (const [i, state] of states.entries()) {
      const stored = state.uploadId ? await backends.storedUpload(state.uploadId) : undefined;
      if (state.phase !== "done" || stored?.status !== "completed" || stored.sha256 === undefined) {
        lost += 1;
        console.log(`  LOST: user ${i} ended ${state.phase} (${state.error ?? "no error"}), ledger ${stored?.status}`);
      } else if (stored.sha256 !== uploads[i]!.source.sha256 || !stored.ledgerMatchesObject) {
        corrupt += 1;
        console.log(`  CORRUPT: user ${i}: sha256 ${stored.sha256}, ledger matches S3: ${stored.ledgerMatchesObject}`);
      } else completed += 1;
    }
    const retries = states.reduce(
      (sum, s) => sum + s.timeline.entries.filter((e) => e.kind === "attempt" && e.outcome === "failed").length,
      0,
    );
    const totalMiB = users * sizeMiB;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);

    console.log(`  uploads completed: ${completed} of ${users}; corrupt: ${corrupt}; lost: ${lost}`);
    console.log(
      `  ${totalMiB} MiB in ${seconds.toFixed(1)} s (${(totalMiB / seconds).toFixed(0)} MiB/s); part requests ${stats.UploadPart?.requests ?? 0}, ` +
        `resets injected ${stats.UploadPart?.faults ?? 0}, uploader retries ${retries}`,
    );
    console.log("  API latency of successful calls, as the uploaders saw them over HTTP:");
    for (const name of ["sign", "record", "complete"] as const)
      console.log(describeLatencies(name, latencies.get(name) ?? []));
    console.log("  the same calls' time inside the app (Server-Timing: request in to answer out):");
    for (const name of ["sign", "record", "complete"] as const)
      console.log(describeLatencies(name, appLatencies.get(name) ?? []));
    if (failedCalls.size > 0)
      console.log(`  API calls refused: ${[...failedCalls].map(([k, n]) => `${k} x${n}`).join(", ")}`);
    apps.forEach((app, k) => {
      const { rss, peak } = memory(app.pid);
      console.log(
        `  app ${k + 1}: CPU ${appCpu[k]!.toFixed(1)} s (${((appCpu[k]! / seconds) * 100).toFixed(0)}% of a core), ` +
          `RSS mean ${(mean(rssSamples[k]!) / MiB).toFixed(0)} MiB, peak ${(peak / MiB).toFixed(0)} MiB, now ${(rss / MiB).toFixed(0)} MiB`,
      );
    });
    console.log(
      `  database connections (both instances, pool of 10 each): open peak ${max(connectionSamples.map((s) => s.open))}, ` +
        `in use (running a statement) peak ${max(connectionSamples.map((s) => s.active))}, mean ${mean(connectionSamples.map((s) => s.active)).toFixed(2)}`,
    );
    console.log(
      `  for context: local S3 CPU ${s3Cpu.toFixed(1)} s, uploaders (this process) CPU ${((driverCpu.user + driverCpu.system) / 1e6).toFixed(1)} s, ` +
        `their event-loop lag p50 ${(driverLag.percentile(50) / 1e6).toFixed(0)} ms, p99 ${(driverLag.percentile(99) / 1e6).toFixed(0)} ms, max ${(driverLag.max / 1e6).toFixed(0)} ms`,
    );
  } finally {
    await backends.stop();
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
