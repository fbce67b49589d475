/**
 * The least an HTTP server in Node can do with a PUT: stream the body into a file and, with `--md5`,
 * hash it as S3 must for ETags, on the main thread or (`--md5 workers`) on two worker threads. No S3
 * logic at all. `bench:local-s3` runs it as a ceiling, so its figures show what this machine allows
 * before any S3 work. Usage: tsx scripts/bench-bare-put-server.ts DIR [--md5 [main|workers]]
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:http";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Worker } from "node:worker_threads";

const dir = process.argv[2];
if (!dir) throw new Error("usage: bench-bare-put-server.ts DIR [--md5 [main|workers]]");
const md5Flag = process.argv.indexOf("--md5");
const md5Mode = md5Flag === -1 ? "none" : process.argv[md5Flag + 1] === "workers" ? "workers" : "main";
await mkdir(dir, { recursive: true });

/** Hashes a stream of chunks; `digest` resolves with the hex MD5. */
interface Md5 {
  update(chunk: Buffer): void;
  digest(): Promise<string>;
}

const mainThreadMd5 = (): Md5 => {
  const hash = createHash("md5");
  return { update: (chunk) => void hash.update(chunk), digest: async () => hash.digest("hex") };
};

// Each worker keeps one hash per request id; chunks are copied to it by postMessage.
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const hashes = new Map();
parentPort.on("message", ({ id, chunk }) => {
  if (!hashes.has(id)) hashes.set(id, createHash("md5"));
  if (chunk) return void hashes.get(id).update(chunk);
  parentPort.postMessage({ id, hex: hashes.get(id).digest("hex") });
  hashes.delete(id);
});`;
const workers = md5Mode === "workers" ? [0, 1].map(() => new Worker(WORKER_SOURCE, { eval: true })) : [];
const pending = new Map<number, (hex: string) => void>();
for (const worker of workers) {
  worker.on("message", ({ id, hex }: { id: number; hex: string }) => {
    pending.get(id)?.(hex);
    pending.delete(id);
  });
}
const workerMd5 = (id: number): Md5 => {
  const worker = workers[id % workers.length]!;
  return {
    update: (chunk) => worker.postMessage({ id, chunk }),
    digest: () =>
      new Promise((resolve) => {
        pending.set(id, resolve);
        worker.postMessage({ id });
      }),
  };
};

let next = 0;
const server = createServer((req, res) => {
  const id = (next += 1);
  const md5 = md5Mode === "main" ? mainThreadMd5() : md5Mode === "workers" ? workerMd5(id) : undefined;
  if (md5) req.on("data", (chunk: Buffer) => md5.update(chunk));
  // Same write buffer as the local S3, so the comparison isolates the S3 work.
  const file = createWriteStream(join(dir, `part-${id}`), { highWaterMark: 4 * 1024 * 1024 });
  pipeline(req, file)
    .then(async () => res.end(md5 ? await md5.digest() : ""))
    .catch(() => res.destroy());
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address && typeof address === "object") console.log(`listening on http://127.0.0.1:${address.port}`);
});
process.on("SIGTERM", () => {
  for (const worker of workers) void worker.terminate();
  server.close(() => process.exit(0));
});
