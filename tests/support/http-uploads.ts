/**
 * The upload API over real HTTP from Node, as the browser uses it: the uploader's own UploadApi and
 * ApiError, with the session cookie a browser would send. For tests and benchmarks against app processes.
 */
import { ApiError, type UploadApi } from "../../app/upload/api.js";
import type { ApiErrorBody } from "../../app/shared/api-error.js";
import type { UploadView } from "../../app/shared/uploads.js";

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined; // a proxy's or the framework's plain-text error
  }
}

/** PUTs one part's bytes to its presigned URL, as the browser does; returns S3's ETag. */
export async function putPart(signed: { url: string; headers: Record<string, string> }, body: Uint8Array<ArrayBuffer>) {
  const response = await fetch(signed.url, { method: "PUT", headers: signed.headers, body });
  if (response.status !== 200) throw new Error(`part PUT answered ${response.status}: ${await response.text()}`);
  return response.headers.get("etag")!;
}

/** Signs in through the development sign-in (`/auth/dev`) and returns the session cookie. */
export async function devSignIn(appUrl: string, login: string): Promise<string> {
  const response = await fetch(`${appUrl}/auth/dev`, {
    method: "POST",
    body: new URLSearchParams({ login }),
    redirect: "manual",
  });
  if (response.status !== 302) throw new Error(`dev sign-in answered ${response.status}: ${await response.text()}`);
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

export type ApiCallName = "create" | "get" | "sign" | "record" | "complete" | "abort";

export interface HttpUploadApi extends UploadApi {
  get(id: string): Promise<UploadView>;
}

/**
 * The upload API of the app at `appUrl` (a function, so calls can alternate between instances).
 * `onCall` hears each call's name, duration and status (0: no answer).
 */
export function httpUploadApi(
  appUrl: string | (() => string),
  cookie: string,
  onCall?: (name: ApiCallName, ms: number, status: number) => void,
): HttpUploadApi {
  const base = typeof appUrl === "string" ? () => appUrl : appUrl;
  async function request<T>(name: ApiCallName, method: string, path: string, body?: unknown): Promise<T> {
    const started = performance.now();
    let response: Response;
    try {
      response = await fetch(`${base()}${path}`, {
        method,
        headers: { Cookie: cookie, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      onCall?.(name, performance.now() - started, 0);
      throw new ApiError(0, "network", "The connection to the server was lost.");
    }
    const text = await response.text();
    onCall?.(name, performance.now() - started, response.status);
    const json = parseJson(text);
    if (!response.ok) {
      const error = (json as ApiErrorBody | undefined)?.error;
      throw new ApiError(
        response.status,
        error?.code ?? "http_error",
        error?.message ?? `HTTP ${response.status}`,
        error?.details,
      );
    }
    return json as T;
  }
  return {
    create: (input) => request("create", "POST", "/api/uploads", input),
    get: (id) => request("get", "GET", `/api/uploads/${id}`),
    signParts: (id, parts) => request("sign", "POST", `/api/uploads/${id}/parts`, { parts }),
    recordPart: async (id, partNumber, etag, checksumSha256) => {
      await request("record", "PUT", `/api/uploads/${id}/parts/${partNumber}`, { etag, checksumSha256 });
    },
    complete: (id) => request("complete", "POST", `/api/uploads/${id}/complete`),
    abort: async (id) => {
      await request("abort", "DELETE", `/api/uploads/${id}`);
    },
  };
}
