import { formatUrl } from "@aws-sdk/core/util";
import { Sha256 } from "@smithy/core/checksum";
import { HttpRequest } from "@smithy/core/protocols";
import { SignatureV4 } from "@smithy/signature-v4";
import { checksumHeaderName, type PartChecksum } from "../../app/shared/checksum-mode.js";
import { browserBucketUrl, type Storage } from "./s3.js";

export interface PartToSign {
  partNumber: number;
  /** Exact byte length the browser must send: it is signed, so S3 refuses any other length. */
  size: number;
  /** The part's checksum: its header is signed, and S3 checks it against the bytes. */
  checksum: PartChecksum;
}

export interface SignedPart {
  partNumber: number;
  url: string;
  /** Headers the browser must send as signed (Content-Length is set by the browser itself). */
  headers: Record<string, string>;
}

function encodeKey(key: string): string {
  return key
    .split("/")
    .map((segment) =>
      encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join("/");
}

/**
 * Presigns UploadPart URLs with the SDK's own SigV4 signer on a prebuilt request. Equivalent to
 * getSignedUrl(UploadPartCommand) with Content-Length (and the checksum header) signed, but without
 * running the command's middleware stack per URL, which dominated the cost of signing large batches.
 */
export async function presignUploadParts(
  storage: Storage,
  target: { key: string; uploadId: string },
  parts: PartToSign[],
  expiresInSeconds: number,
  signingDate = new Date(),
): Promise<SignedPart[]> {
  const config = storage.presignClient.config;
  const bucket = browserBucketUrl(storage);
  const path = `${bucket.pathname.replace(/\/$/, "")}/${encodeKey(target.key)}`;
  const signer = new SignatureV4({
    credentials: await config.credentials(),
    region: storage.region,
    service: "s3",
    sha256: Sha256,
    uriEscapePath: false,
  });
  return Promise.all(
    parts.map(async (part): Promise<SignedPart> => {
      const checksumHeader = checksumHeaderName(part.checksum.algorithm);
      const headers: Record<string, string> = {
        host: bucket.host,
        "content-length": String(part.size),
        "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
        [checksumHeader]: part.checksum.value,
      };
      const request = new HttpRequest({
        method: "PUT",
        protocol: bucket.protocol,
        hostname: bucket.hostname,
        port: bucket.port ? Number(bucket.port) : undefined,
        path,
        query: { partNumber: String(part.partNumber), uploadId: target.uploadId, "x-id": "UploadPart" },
        headers,
      });
      const signed = await signer.presign(request, {
        expiresIn: expiresInSeconds,
        signingDate,
        signableHeaders: new Set(["content-length", checksumHeader]),
        unhoistableHeaders: new Set([checksumHeader]),
      });
      return {
        partNumber: part.partNumber,
        url: formatUrl(signed),
        headers: { [checksumHeader]: part.checksum.value },
      };
    }),
  );
}
