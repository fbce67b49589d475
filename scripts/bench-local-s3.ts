/**
 * Uploads 1 GiB as 8 MiB parts with 4 parallel presigned PUTs to a local S3 running in its own
 * process, and compares the throughput with a plain fs write of the same bytes.
 * Prints the figures; asserts nothing. Usage: npm run bench:local-s3 [-- --size-mib 1024 --part-mib 8 --concurrency 4]
 */
import { spawn } from "node:child_process";
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
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

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(status.match(/VmHWM:\s+(\d+) kB/)?.[1] ?? NaN);
  return kb / 1024;
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), "bench-local-s3-"));
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
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
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const match = out.match(/listening on (http:\/\/\S+)/);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`local-s3 exited with ${code}`)));
  });
  try {
    const client = new S3Client({ endpoint: url, region: "us-east-1", forcePathStyle: true, credentials });
    // The page cache makes plain writes vary a lot from run to run: sample before and after, report all.
    const cached = [await plainWrite(dir, false), await plainWrite(dir, false), await plainWrite(dir, false)];
    const durable = [await plainWrite(dir, true), await plainWrite(dir, true), await plainWrite(dir, true)];

    const started = performance.now();
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: "bench", Key: "big.bin" }));
    const limit = pLimit(concurrency);
    const parts = await Promise.all(
      Array.from({ length: partCount }, (_, i) =>
        limit(async () => {
          const PartNumber = i + 1;
          const body = partBytes(PartNumber);
          const signed = await getSignedUrl(
            client,
            new UploadPartCommand({
              Bucket: "bench",
              Key: "big.bin",
              UploadId,
              PartNumber,
              ContentLength: body.length,
            }),
            {
              expiresIn: 900,
              signableHeaders: new Set(["content-length"]),
            },
          );
          const response = await fetch(signed, { method: "PUT", body });
          if (!response.ok) throw new Error(`part ${PartNumber}: ${response.status} ${await response.text()}`);
          return { PartNumber, ETag: response.headers.get("etag")! };
        }),
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
    const head = await client.send(new HeadObjectCommand({ Bucket: "bench", Key: "big.bin" }));
    if (head.ContentLength !== totalBytes)
      throw new Error(`stored ${head.ContentLength} bytes, expected ${totalBytes}`);

    const mib = totalBytes / MiB;
    const partsSeconds = (uploaded - started) / 1000;
    const totalSeconds = (completed - started) / 1000;
    const rss = await peakRssMiB(child.pid!);
    console.log(
      `local-s3 benchmark: ${mib} MiB as ${partCount} parts of ${partSize / MiB} MiB, ${concurrency} parallel presigned PUTs over loopback`,
    );
    const rate = (seconds: number) => `${(mib / seconds).toFixed(0)} MiB/s`;
    console.log(
      `  plain fs write, page cache:   ${rate(median(cached))} median (samples ${cached.map(rate).join(", ")})`,
    );
    console.log(
      `  plain fs write + fsync:       ${rate(median(durable))} median (samples ${durable.map(rate).join(", ")})`,
    );
    console.log(
      `  local-s3 parts:               ${(mib / partsSeconds).toFixed(0)} MiB/s (${partsSeconds.toFixed(2)} s)`,
    );
    console.log(
      `  local-s3 parts + complete:    ${(mib / totalSeconds).toFixed(0)} MiB/s (${totalSeconds.toFixed(2)} s)`,
    );
    console.log(
      `  ratio (parts+complete/plain): ${(median(durable) / totalSeconds).toFixed(2)} against the fsync'd write, ${(median(cached) / totalSeconds).toFixed(2)} against the page-cache write  (target >= 0.50)`,
    );
    console.log(`  server peak RSS:              ${rss.toFixed(0)} MiB  (target < 200 MiB)`);
    client.destroy();
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
