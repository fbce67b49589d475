/**
 * Uploads 1 GiB as 8 MiB parts with 4 parallel presigned PUTs to a local S3 running in its own
 * process, and compares the throughput with a plain fs write of the same bytes, and with a bare
 * node:http server that only streams each PUT into a file (without MD5, with MD5 on its main
 * thread, with MD5 on worker threads): the ceiling for any Node server on this machine. Prints the figures; asserts nothing. Usage: npm run bench:local-s3 [-- --size-mib 1024 --part-mib 8 --concurrency 4]
 */
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { request, Agent } from "node:http";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import pLimit from "p-limit";
import { median, startServer, stopServer } from "./bench-support.js";

// Its Node 20 deprecation notice would only interleave with the figures (the README covers it).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const { values } = parseArgs({
  options: {
    "size-mib": { type: "string", default: "1024" },
    "part-mib": { type: "string", default: "8" },
    concurrency: { type: "string", default: "4" },
  },
});
const MiB = 1024 * 1024;
const totalBytes = Number(values["size-mib"]) * MiB;
const partSize = Number(values["part-mib"]) * MiB;
const concurrency = Number(values.concurrency);
const partCount = Math.ceil(totalBytes / partSize);
const credentials = { accessKeyId: "bench", secretAccessKey: "bench-secret" };

// A few distinct part buffers, reused: the client must not be the bottleneck or the memory hog.
const patterns = Array.from({ length: 4 }, (_, i) => Buffer.alloc(partSize, i + 1));
const partBytes = (n: number) => {
  const size = Math.min(partSize, totalBytes - (n - 1) * partSize);
  return patterns[n % patterns.length]!.subarray(0, size);
};

/**
 * Writes the same bytes with plain fs calls. Without fsync this measures the page cache (memory speed
 * when the machine has free memory, much slower while earlier writes are being flushed); with fsync it
 * measures the disk. Both are printed, since either can be meant by "a plain write".
 */
async function plainWrite(dir: string, durable: boolean): Promise<number> {
  const file = join(dir, "plain.bin");
  const started = performance.now();
  const handle = await open(file, "w");
  for (let n = 1; n <= partCount; n += 1) await handle.write(partBytes(n));
  if (durable) await handle.sync();
  await handle.close();
  const seconds = (performance.now() - started) / 1000;
  await rm(file);
  return seconds;
}

async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(status.match(/VmHWM:\s+(\d+) kB/)?.[1] ?? NaN);
  return kb / 1024;
}

// node:http rather than fetch: undici costs about four times the CPU per byte, and the client
// shares this machine's cores with the server under test.
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

/** PUTs `body` to `url`; resolves with the response's ETag header, rejects on any status but 200. */
function put(url: string, body: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "PUT", agent, headers: { "content-length": body.length } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () =>
        res.statusCode === 200
          ? resolve(String(res.headers.etag ?? ""))
          : reject(new Error(`PUT ${res.statusCode}: ${text}`)),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Sends every part with `concurrency` PUTs in flight; `urlFor` gives each part's URL. */
async function sendParts(urlFor: (partNumber: number) => Promise<string> | string) {
  const limit = pLimit(concurrency);
  return Promise.all(
    Array.from({ length: partCount }, (_, i) =>
      limit(async () => {
        const PartNumber = i + 1;
        const ETag = await put(await urlFor(PartNumber), partBytes(PartNumber));
        return { PartNumber, ETag };
      }),
    ),
  );
}

type Md5Mode = "none" | "main" | "workers";

/** Seconds to PUT every part to a bare node:http server (see bench-bare-put-server.ts). */
async function bareServer(dir: string, md5: Md5Mode): Promise<number> {
  const data = join(dir, `bare-${md5}`);
  const { child, url } = await startServer([
    "scripts/bench-bare-put-server.ts",
    data,
    ...(md5 === "none" ? [] : ["--md5", md5]),
  ]);
  try {
    const started = performance.now();
    await sendParts((n) => `${url}/part-${n}`);
    return (performance.now() - started) / 1000;
  } finally {
    await stopServer(child);
    await rm(data, { recursive: true, force: true });
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), "bench-local-s3-"));
  try {
    // The page cache makes plain writes vary a lot from run to run: sample several times, report all.
    const cached = [await plainWrite(dir, false), await plainWrite(dir, false), await plainWrite(dir, false)];
    const durable = [await plainWrite(dir, true), await plainWrite(dir, true), await plainWrite(dir, true)];
    const bare = await bareServer(dir, "none");
    const bareMd5 = await bareServer(dir, "main");
    const bareMd5Workers = await bareServer(dir, "workers");

    const { child, url } = await startServer([
      "server/local-s3/cli.ts",
      "--port",
      "0",
      "--data",
      join(dir, "s3"),
      "--access-key-id",
      credentials.accessKeyId,
      "--secret-access-key",
      credentials.secretAccessKey,
      "--bucket",
      "bench",
    ]);
    const client = new S3Client({ endpoint: url, region: "us-east-1", forcePathStyle: true, credentials });
    try {
      const cpuBefore = await cpuSeconds(child.pid!);
      const started = performance.now();
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: "bench", Key: "big.bin" }));
      const parts = await sendParts((PartNumber) =>
        getSignedUrl(
          client,
          new UploadPartCommand({
            Bucket: "bench",
            Key: "big.bin",
            UploadId,
            PartNumber,
            ContentLength: partBytes(PartNumber).length,
          }),
          { expiresIn: 900, signableHeaders: new Set(["content-length"]) },
        ),
      );
      const uploaded = performance.now();
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: "bench",
          Key: "big.bin",
          UploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
      const completed = performance.now();
      const serverCpu = (await cpuSeconds(child.pid!)) - cpuBefore;
      const head = await client.send(new HeadObjectCommand({ Bucket: "bench", Key: "big.bin" }));
      if (head.ContentLength !== totalBytes)
        throw new Error(`stored ${head.ContentLength} bytes, expected ${totalBytes}`);

      const mib = totalBytes / MiB;
      const partsSeconds = (uploaded - started) / 1000;
      const totalSeconds = (completed - started) / 1000;
      const rss = await peakRssMiB(child.pid!);
      const rate = (seconds: number) => `${(mib / seconds).toFixed(0)} MiB/s`;
      const ratio = (seconds: number) => (seconds / totalSeconds).toFixed(2);
      console.log(
        `local-s3 benchmark: ${mib} MiB as ${partCount} parts of ${partSize / MiB} MiB, ${concurrency} parallel presigned PUTs over loopback`,
      );
      console.log(
        `  plain fs write, page cache:   ${rate(median(cached))} median (samples ${cached.map(rate).join(", ")})`,
      );
      console.log(
        `  plain fs write + fsync:       ${rate(median(durable))} median (samples ${durable.map(rate).join(", ")})`,
      );
      console.log(`  bare node:http PUT -> file:   ${rate(bare)}  (no S3 work: the ceiling for a Node server here)`);
      console.log(`  bare node:http PUT + MD5:     ${rate(bareMd5)}  (the same, hashing as S3 ETags need)`);
      console.log(`  bare + MD5 on 2 workers:      ${rate(bareMd5Workers)}  (the same, hashing on worker threads)`);
      console.log(`  local-s3 parts:               ${rate(partsSeconds)} (${partsSeconds.toFixed(2)} s)`);
      console.log(`  local-s3 parts + complete:    ${rate(totalSeconds)} (${totalSeconds.toFixed(2)} s)`);
      console.log(`  local-s3 server CPU:          ${((serverCpu / mib) * 1024).toFixed(1)} CPU-s per GiB`);
      console.log(
        `  ratio to plain write:         ${ratio(median(durable))} against the fsync'd write, ${ratio(median(cached))} against the page cache  (target >= 0.50)`,
      );
      console.log(
        `  ratio to bare node:http:      ${ratio(bare)} against no hashing, ${ratio(bareMd5)} against MD5 only`,
      );
      console.log(`  server peak RSS:              ${rss.toFixed(0)} MiB  (target < 200 MiB)`);
    } finally {
      client.destroy();
      await stopServer(child);
    }
  } finally {
    agent.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
