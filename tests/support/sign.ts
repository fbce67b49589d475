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
