import { createHash } from "node:crypto";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";

export interface RawSignedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Declared x-amz-content-sha256 (defaults to the body's real hash). */
  payloadHash?: string;
  signingDate?: Date;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Signs a hand-built request with the SDK's own SigV4 signer, so tests can send what the
 * SDK never would (a wrong payload hash, a malformed chunked body) with a valid signature.
 */
export async function signRaw(input: RawSignedRequest): Promise<{ url: string; init: RequestInit }> {
  const url = new URL(input.url);
  const signer = new SignatureV4({
    service: "s3",
    region: "us-east-1",
    credentials: input.credentials,
    sha256: Sha256,
    uriEscapePath: false,
  });
  const payloadHash =
    input.payloadHash ??
    createHash("sha256")
      .update(input.body ?? Buffer.alloc(0))
      .digest("hex");
  const query: Record<string, string> = {};
  url.searchParams.forEach((v, k) => (query[k] = v));
  const signed = await signer.sign(
    {
      method: input.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query,
      headers: { host: url.host, "x-amz-content-sha256": payloadHash, ...input.headers },
    },
    { signingDate: input.signingDate ?? new Date() },
  );
  const headers = { ...signed.headers } as Record<string, string>;
  delete headers.host;
  return {
    url: input.url,
    init: { method: input.method, headers, body: input.body ? new Uint8Array(input.body) : undefined },
  };
}

const EMPTY_SHA256 = createHash("sha256").digest("hex");

/**
 * Builds and signs a STREAMING-AWS4-HMAC-SHA256-PAYLOAD request: `data` in aws-chunked framing, each
 * chunk signed and chained from the request's signature (the chain format is pinned in the unit tests
 * by AWS's published example). `tamper` changes a data byte after signing.
 */
export async function signStreaming(input: {
  url: string;
  data: Buffer;
  chunkSize: number;
  credentials: { accessKeyId: string; secretAccessKey: string };
  tamper?: boolean;
  /** A trailing checksum header, signed after the last chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER). */
  trailer?: { name: string; value: string };
}): Promise<{ url: string; init: RequestInit }> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < input.data.length; i += input.chunkSize) chunks.push(input.data.subarray(i, i + input.chunkSize));
  chunks.push(Buffer.alloc(0));
  const frame = (chunk: Buffer, signature: string) =>
    Buffer.concat([
      Buffer.from(`${chunk.length.toString(16)};chunk-signature=${signature}\r\n`),
      chunk,
      Buffer.from("\r\n"),
    ]);
  const trailerText = (signature: string) =>
    input.trailer ? `${input.trailer.name}:${input.trailer.value}\r\nx-amz-trailer-signature:${signature}\r\n` : "";
  // With trailers, the final chunk's closing CRLF gives way to the trailer lines and their own.
  const framedLength =
    chunks.reduce((sum, chunk) => sum + frame(chunk, "0".repeat(64)).length, 0) +
    (input.trailer ? trailerText("0".repeat(64)).length : 0);
  const signingDate = new Date();
  const { url, init } = await signRaw({
    url: input.url,
    method: "PUT",
    headers: {
      "content-encoding": "aws-chunked",
      "content-length": String(framedLength),
      "x-amz-decoded-content-length": String(input.data.length),
      ...(input.trailer ? { "x-amz-trailer": input.trailer.name } : {}),
    },
    payloadHash: `STREAMING-AWS4-HMAC-SHA256-PAYLOAD${input.trailer ? "-TRAILER" : ""}`,
    signingDate,
    credentials: input.credentials,
  });
  const headers = init.headers as Record<string, string>;
  let previous = headers.authorization!.match(/Signature=([0-9a-f]{64})/)![1]!;
  const longDate = headers["x-amz-date"]!;
  const scope = `${longDate.slice(0, 8)}/us-east-1/s3/aws4_request`;
  const signer = new SignatureV4({
    service: "s3",
    region: "us-east-1",
    credentials: input.credentials,
    sha256: Sha256,
  });
  const framed: Buffer[] = [];
  for (const chunk of chunks) {
    const digest = createHash("sha256").update(chunk).digest("hex");
    const stringToSign = ["AWS4-HMAC-SHA256-PAYLOAD", longDate, scope, previous, EMPTY_SHA256, digest].join("\n");
    previous = await signer.sign(stringToSign, { signingDate, signingRegion: "us-east-1", signingService: "s3" });
    framed.push(frame(chunk, previous));
  }
  if (input.trailer) {
    const canonical = `${input.trailer.name}:${input.trailer.value}\n`;
    const stringToSign = [
      "AWS4-HMAC-SHA256-TRAILER",
      longDate,
      scope,
      previous,
      createHash("sha256").update(canonical).digest("hex"),
    ].join("\n");
    const signature = await signer.sign(stringToSign, {
      signingDate,
      signingRegion: "us-east-1",
      signingService: "s3",
    });
    framed[framed.length - 1] = Buffer.concat([framed.at(-1)!.subarray(0, -2), Buffer.from(trailerText(signature))]);
    framed.push(Buffer.from("\r\n"));
  }
  const body = Buffer.concat(framed);
  // A byte of the first chunk's data (its header line is under 100 bytes).
  if (input.tamper) body[1000] = body[1000]! ^ 0xff;
  return { url, init: { ...init, body: new Uint8Array(body) } };
}
