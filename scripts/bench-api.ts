/**
 * Signing throughput of the upload API: starts the app on embedded defaults in a temporary directory,
 * signs in, creates a 10 GiB upload, then signs 100-part batches over HTTP one after another and prints
 * URLs per second and the latency percentiles of the signing action. Prints figures; asserts nothing.
 * Usage: npm run bench:api [-- --batches 300]
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { percentile, startApp } from "./bench-support.js";
import { DIGEST_BYTES } from "../app/shared/checksum-mode.js";
import type { UploadView } from "../app/shared/uploads.js";

const { values } = parseArgs({
  options: { batches: { type: "string", default: "300" }, warmup: { type: "string", default: "20" } },
});
const batches = Number(values.batches);
const warmup = Number(values.warmup);

async function main() {
  const dir = await mkdtemp(join(tmpdir(), "bench-api-"));
  await chmod(dir, 0o755);
  const app = await startApp({ dataDir: dir });
  const url = app.url;
  try {
    const signIn = await fetch(`${url}/auth/dev`, {
      method: "POST",
      body: new URLSearchParams({ login: "bench" }),
      redirect: "manual",
    });
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const headers = { Cookie: cookie, "Content-Type": "application/json" };
    const size = 10 * 1024 ** 3;
    const created = await fetch(`${url}/api/uploads`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        fileName: "bench.mp4",
        size,
        contentType: "video/mp4",
        lastModified: Date.now(),
        fingerprint: `bench-${Date.now()}`,
      }),
    });
    const upload = (await created.json()) as UploadView;
    if (!created.ok) throw new Error(`create failed: ${JSON.stringify(upload)}`);
    // Well-formed for the upload's algorithm; signing never reads the bytes.
    const { algorithm } = upload.checksumMode;
    const checksum = { algorithm, value: Buffer.alloc(DIGEST_BYTES[algorithm]).toString("base64") };
    const latencies: number[] = [];
    let urls = 0;
    let started = 0;
    for (let i = 0; i < warmup + batches; i += 1) {
      if (i === warmup) started = performance.now();
      const first = ((i * 100) % (upload.partCount - 100)) + 1;
      const parts = Array.from({ length: 100 }, (_, k) => ({ partNumber: first + k, checksum }));
      const t0 = performance.now();
      const response = await fetch(`${url}/api/uploads/${upload.id}/parts`, {
        method: "POST",
        headers,
        body: JSON.stringify({ parts }),
      });
      const body = (await response.json()) as { parts: unknown[] };
      const elapsed = performance.now() - t0;
      if (!response.ok) throw new Error(`sign failed: ${JSON.stringify(body)}`);
      if (i >= warmup) {
        latencies.push(elapsed);
        urls += body.parts.length;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    console.log(
      `upload API signing benchmark: ${batches} sequential batches of 100 parts over HTTP (after ${warmup} warm-up batches)`,
    );
    console.log(`  URLs per second: ${(urls / seconds).toFixed(0)}`);
    console.log(
      `  latency per 100-part batch: p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms  (target p95 < 50 ms)`,
    );
  } finally {
    await app.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
