/**
 * The server side of the Uppy peer in `bench:peers`, in its own process so its CPU is counted apart: serves
 * the bundled page and Uppy's signing endpoints (Companion's routes), presigning with the AWS SDK against the
 * S3 given in the environment (the app's local S3). Prints "listening on URL" once ready.
 * Environment: S3_URL, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  S3Client,
  UploadPartCommand,
  type Part,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { build } from "esbuild";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const Bucket = process.env.S3_BUCKET!;
const s3 = new S3Client({
  region: "us-east-1",
  endpoint: process.env.S3_URL,
  forcePathStyle: true,
  credentials: { accessKeyId: process.env.S3_ACCESS_KEY_ID!, secretAccessKey: process.env.S3_SECRET_ACCESS_KEY! },
});

const bundle = await build({
  entryPoints: [fileURLToPath(new URL("./uppy-page.ts", import.meta.url))],
  bundle: true,
  minify: true,
  format: "esm",
  target: "chrome120",
  write: false,
  logLevel: "error",
});
const PAGE_JS = bundle.outputFiles[0]!.text;
const PAGE_HTML = `<!doctype html><title>Uppy</title><input type="file" aria-label="file"><script type="module" src="/uppy-page.js"></script>`;

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = "";
  for await (const chunk of req) text += String(chunk);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url!, "http://localhost");
  const json = (body: unknown) =>
    void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
  if (req.method === "GET" && url.pathname === "/") {
    return void res.writeHead(200, { "content-type": "text/html" }).end(PAGE_HTML);
  }
  if (req.method === "GET" && url.pathname === "/uppy-page.js") {
    return void res.writeHead(200, { "content-type": "text/javascript" }).end(PAGE_JS);
  }
  const [, uploadId, partNumber] = url.pathname.match(/^\/s3\/multipart(?:\/([^/]+))?(?:\/(\d+))?$/) ?? [];
  const Key = url.searchParams.get("key") ?? "";
  const UploadId = uploadId === undefined ? undefined : decodeURIComponent(uploadId);
  if (req.method === "POST" && !UploadId) {
    const { type } = await readJson(req);
    const key = `bench-uppy/${randomUUID()}`;
    const created = await s3.send(
      new CreateMultipartUploadCommand({ Bucket, Key: key, ContentType: String(type || "application/octet-stream") }),
    );
    return json({ key, uploadId: created.UploadId });
  }
  if (req.method === "GET" && UploadId && partNumber) {
    const command = new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: Number(partNumber) });
    return json({ url: await getSignedUrl(s3, command, { expiresIn: 900 }) });
  }
  if (req.method === "GET" && UploadId) {
    const parts: Part[] = [];
    let PartNumberMarker: string | undefined;
    for (;;) {
      const page = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId, PartNumberMarker }));
      parts.push(...(page.Parts ?? []));
      if (!page.IsTruncated) break;
      PartNumberMarker = page.NextPartNumberMarker;
    }
    return json(parts.map(({ PartNumber, Size, ETag }) => ({ PartNumber, Size, ETag })));
  }
  if (req.method === "POST" && UploadId) {
    const { parts } = (await readJson(req)) as { parts: Array<{ PartNumber: number; ETag: string }> };
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId,
        MultipartUpload: { Parts: parts.map(({ PartNumber, ETag }) => ({ PartNumber, ETag })) },
      }),
    );
    return json({ location: done.Location });
  }
  if (req.method === "DELETE" && UploadId) {
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
    return json({});
  }
  res.writeHead(404).end();
}

const server = createServer((req, res) => {
  route(req, res).catch((error: unknown) => {
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
    res.end(String(error));
  });
});
server.listen(0, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
