import { S3Client } from "@aws-sdk/client-s3";

export interface StorageSettings {
  endpoint?: string;
  /** Where browsers reach S3, when it differs from where the server does (presigned URLs are signed for it). */
  publicEndpoint?: string;
  bucket: string;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle: boolean;
  /** S3_CONNECT_TIMEOUT, S3_REQUEST_TIMEOUT, S3_MAX_ATTEMPTS: a dead S3 fails calls in bounded time. */
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  maxAttempts: number;
}

export interface Storage {
  bucket: string;
  region: string;
  endpoint?: string;
  publicEndpoint?: string;
  forcePathStyle: boolean;
  /** For the server's own calls. */
  client: S3Client;
  /** For URLs handed to browsers. */
  presignClient: S3Client;
  close(): void;
}

/**
 * The bucket's root as browsers reach it: the public endpoint (or the server's), with the bucket in
 * the path (path-style) or in the host name (virtual-hosted). Part URLs and media URLs live under it,
 * and the page's Content-Security-Policy allows its origin.
 */
export function browserBucketUrl(
  settings: Pick<StorageSettings, "endpoint" | "publicEndpoint" | "bucket" | "region" | "forcePathStyle">,
): URL {
  const url = new URL(settings.publicEndpoint ?? settings.endpoint ?? `https://s3.${settings.region}.amazonaws.com`);
  const basePath = url.pathname.replace(/\/$/, "");
  if (settings.forcePathStyle) {
    url.pathname = `${basePath}/${settings.bucket}`;
  } else {
    url.hostname = `${settings.bucket}.${url.hostname}`;
    url.pathname = basePath;
  }
  return url;
}

function client(settings: StorageSettings, endpoint: string | undefined): S3Client {
  return new S3Client({
    region: settings.region,
    ...(endpoint ? { endpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    forcePathStyle: settings.forcePathStyle,
    maxAttempts: settings.maxAttempts,
    requestHandler: {
      connectionTimeout: settings.connectTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  });
}

export function createStorage(settings: StorageSettings): Storage {
  const main = client(settings, settings.endpoint);
  const presign = settings.publicEndpoint ? client(settings, settings.publicEndpoint) : main;
  return {
    bucket: settings.bucket,
    region: settings.region,
    endpoint: settings.endpoint,
    publicEndpoint: settings.publicEndpoint,
    forcePathStyle: settings.forcePathStyle,
    client: main,
    presignClient: presign,
    close() {
      main.destroy();
      if (presign !== main) presign.destroy();
    },
  };
}
