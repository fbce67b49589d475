import { parseS3Error, type Failure } from "./retry";

export interface PartRequest {
  url: string;
  headers: Record<string, string>;
  body: Blob;
  /** Called with the bytes sent so far for this attempt. */
  onProgress(sentBytes: number): void;
  /** Abort the attempt if no upload progress is seen for this long. */
  stallTimeoutMs: number;
  signal: AbortSignal;
}

export interface PartResponse {
  etag: string;
}

/** Sends one part; rejects with a PartFailure (or an AbortError when `signal` fires). */
export type PartTransport = (request: PartRequest) => Promise<PartResponse>;

export class PartFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.type === "http" ? `HTTP ${failure.status}${failure.code ? ` ${failure.code}` : ""}` : failure.type);
    this.name = "PartFailure";
  }
}

export const abortError = () => new DOMException("The upload was paused or cancelled.", "AbortError");

/**
 * One part = one XMLHttpRequest PUT of the file slice (XHR, because fetch has no upload progress).
 * The browser streams the slice from disk: it is not read into memory here.
 */
export const xhrTransport: PartTransport = (request) =>
  new Promise((resolve, reject) => {
    if (request.signal.aborted) return reject(abortError());
    const xhr = new XMLHttpRequest();
    let stallTimer: ReturnType<typeof setTimeout> | undefined;
    let stalled = false;
    const armStallTimer = () => {
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => {
        stalled = true;
        xhr.abort();
      }, request.stallTimeoutMs);
    };
    const cleanup = () => {
      clearTimeout(stallTimer);
      request.signal.removeEventListener("abort", onAbort);
    };
    const onAbort = () => xhr.abort();
    request.signal.addEventListener("abort", onAbort);
    xhr.open("PUT", request.url);
    for (const [name, value] of Object.entries(request.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      armStallTimer();
      request.onProgress(event.loaded);
    };
    xhr.onload = () => {
      cleanup();
      if (xhr.status === 200) {
        const etag = xhr.getResponseHeader("ETag");
        if (etag) return resolve({ etag });
        return reject(
          new PartFailure({
            type: "http",
            status: 200,
            code: "MissingETag",
            message: "Storage did not expose the ETag header (check the bucket's CORS ExposeHeaders).",
          }),
        );
      }
      reject(new PartFailure(parseS3Error(xhr.status, xhr.responseText ?? "")));
    };
    xhr.onerror = () => {
      cleanup();
      reject(new PartFailure({ type: "network" }));
    };
    xhr.onabort = () => {
      cleanup();
      reject(stalled ? new PartFailure({ type: "stall" }) : abortError());
    };
    armStallTimer();
    xhr.send(request.body);
  });
