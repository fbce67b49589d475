/**
 * The least an HTTP server in Node can do with a PUT: stream the body into a file (and, with `--md5`,
 * hash it as S3 must for ETags). No S3 logic at all. `bench:local-s3` runs it as a ceiling, so its
 * figures show what this machine allows before any S3 work. Usage: tsx scripts/bench-bare-put-server.ts DIR [--md5]
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:http";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";

const dir = process.argv[2];
if (!dir) throw new Error("usage: bench-bare-put-server.ts DIR [--md5]");
const withMd5 = process.argv.includes("--md5");
await mkdir(dir, { recursive: true });
let next = 0;

const server = createServer((req, res) => {
  const md5 = withMd5 ? createHash("md5") : undefined;
  if (md5) req.on("data", (chunk: Buffer) => md5.update(chunk));
  // Same write buffer as the local S3, so the comparison isolates the S3 work.
  const file = createWriteStream(join(dir, `part-${(next += 1)}`), { highWaterMark: 4 * 1024 * 1024 });
  pipeline(req, file).then(
    () => res.end(md5 ? md5.digest("hex") : ""),
    () => res.destroy(),
  );
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address && typeof address === "object") console.log(`listening on http://127.0.0.1:${address.port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
