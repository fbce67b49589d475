/**
 * The peer in `bench:peers`: Uppy's S3 uploader (@uppy/core + @uppy/aws-s3) as its documentation sets it up
 * without Companion: multipart, one presigned URL per part from a signing endpoint, no checksums. Bundled
 * for the browser by uppy-server.ts; the page's query gives the part size and the concurrency.
 */
import Uppy from "@uppy/core";
import AwsS3, { type AwsS3Part } from "@uppy/aws-s3";

interface UploadOutcome {
  ok: boolean;
  error?: string;
}

declare global {
  interface Window {
    /** Settles when the file chosen in the page's input has been uploaded (or has failed). */
    uploadDone: Promise<UploadOutcome>;
  }
}

const query = new URLSearchParams(location.search);
const partSize = Number(query.get("partSize"));
const concurrency = Number(query.get("concurrency"));

async function call<T>(method: string, path: string, signal?: AbortSignal, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    signal,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const target = (uploadId: string, key: string) =>
  `/s3/multipart/${encodeURIComponent(uploadId)}?key=${encodeURIComponent(key)}`;

const uppy = new Uppy().use(AwsS3, {
  shouldUseMultipart: true,
  limit: concurrency,
  getChunkSize: () => partSize,
  createMultipartUpload: (file) =>
    call<{ uploadId: string; key: string }>("POST", "/s3/multipart", undefined, { type: file.type }),
  signPart: (_file, { uploadId, key, partNumber, signal }) =>
    call<{ url: string }>(
      "GET",
      `/s3/multipart/${encodeURIComponent(uploadId)}/${partNumber}?key=${encodeURIComponent(key)}`,
      signal,
    ),
  listParts: (_file, { uploadId, key, signal }) => call<AwsS3Part[]>("GET", target(uploadId!, key), signal),
  completeMultipartUpload: (_file, { uploadId, key, parts, signal }) =>
    call<{ location?: string }>("POST", target(uploadId, key), signal, { parts }),
  abortMultipartUpload: async (_file, { uploadId, key, signal }) => {
    await call("DELETE", target(uploadId!, key), signal);
  },
});

const input = document.querySelector("input")!;
window.uploadDone = new Promise<UploadOutcome>((resolve) => {
  input.addEventListener("change", () => {
    const file = input.files![0]!;
    uppy.addFile({ name: file.name, type: file.type, data: file, source: "Local" });
    uppy.upload().then(
      (result) =>
        resolve(
          result && result.failed?.length === 0 && result.successful?.length === 1
            ? { ok: true }
            : { ok: false, error: String(result?.failed?.[0]?.error ?? "no result") },
        ),
      (error: unknown) => resolve({ ok: false, error: String(error) }),
    );
  });
});
