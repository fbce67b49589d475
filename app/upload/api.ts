import { fileFingerprint } from "./hash";
import type { Failure } from "./retry";
import type { ApiErrorBody } from "../shared/api-error";
import type { PartChecksum } from "../shared/checksum-mode";
import { appDuration } from "../shared/server-timing";
import type { SignedParts, UploadView } from "../shared/uploads";
import type { UploadSummary } from "../shared/upload-summary";

export interface CreateUploadInput {
  fileName: string;
  size: number;
  contentType: string;
  lastModified: number;
  fingerprint: string;
}

/** The request that starts (or resumes) uploading `file`. */
export function createUploadInput(file: File): CreateUploadInput {
  const { name: fileName, size, type: contentType, lastModified } = file;
  return { fileName, size, contentType, lastModified, fingerprint: fileFingerprint(file) };
}

/** A part storage has answered for: its number, the ETag storage gave, and the checksum it was sent with. */
export interface RecordedPart {
  partNumber: number;
  etag: string;
  checksum: PartChecksum;
}

/** The upload API as the uploader uses it. */
export interface UploadApi {
  create(input: CreateUploadInput): Promise<UploadView>;
  signParts(id: string, parts: Array<{ partNumber: number; checksum: PartChecksum }>): Promise<SignedParts>;
  /** Has the server check storage for these parts and record them (all or none). */
  recordParts(id: string, parts: RecordedPart[]): Promise<void>;
  complete(id: string): Promise<UploadView>;
  abort(id: string): Promise<void>;
  /** The upload as the server sees it now. */
  get(id: string): Promise<UploadView>;
  /** The signed-in user's id, or null when the session has expired. */
  signedInAs(): Promise<string | null>;
  /** Reports how a run of the upload went (for the operators' metrics and the upload's ledger row). */
  reportSummary(id: string, summary: UploadSummary): Promise<void>;
}

/** An API call that failed: HTTP errors carry the server's code and message; network errors have status 0. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiError";
  }

  get failure(): Failure {
    return this.status === 0
      ? { type: "network" }
      : { type: "http", status: this.status, code: this.code, message: this.message };
  }
}

/** The calls of the upload API, by name (for observers such as benchmarks). */
export type ApiCallName = "create" | "get" | "sign" | "record" | "complete" | "abort" | "summary" | "me";

export interface HttpUploadApiOptions {
  /** Headers sent with every call (outside a browser: the session cookie). */
  headers?: Record<string, string>;
  /** Hears each call's name, duration in ms, HTTP status (0: no answer) and the app's own time (Server-Timing). */
  onCall?: (name: ApiCallName, ms: number, status: number, appMs?: number) => void;
}

/**
 * The browser's client for /api/uploads (same origin, session cookie). `baseUrl` may be a function, so a
 * client outside the browser can spread its calls over several app instances.
 */
export function createHttpUploadApi(
  baseUrl: string | (() => string) = "",
  options: HttpUploadApiOptions = {},
): UploadApi {
  const base = typeof baseUrl === "string" ? () => baseUrl : baseUrl;
  async function request<T>(name: ApiCallName, method: string, path: string, body?: unknown): Promise<T> {
    const started = performance.now();
    let response: Response;
    try {
      response = await fetch(`${base()}${path}`, {
        method,
        headers: { ...options.headers, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
      });
    } catch {
      options.onCall?.(name, performance.now() - started, 0);
      throw new ApiError(0, "network", "The connection to the server was lost.");
    }
    const text = await response.text().catch(() => "");
    options.onCall?.(
      name,
      performance.now() - started,
      response.status,
      appDuration(response.headers.get("Server-Timing")),
    );
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined; // a proxy's or the framework's plain-text error
    }
    if (!response.ok) {
      const error = (json as ApiErrorBody | undefined)?.error;
      throw new ApiError(
        response.status,
        error?.code ?? "http_error",
        error?.message ?? `The server answered ${response.status}.`,
        error?.details,
      );
    }
    return json as T;
  }
  return {
    create: (input) => request("create", "POST", "/api/uploads", input),
    signParts: (id, parts) => request("sign", "POST", `/api/uploads/${id}/parts`, { parts }),
    recordParts: async (id, parts) => {
      await request("record", "PUT", `/api/uploads/${id}/parts`, { parts });
    },
    complete: (id) => request("complete", "POST", `/api/uploads/${id}/complete`),
    abort: async (id) => {
      await request("abort", "DELETE", `/api/uploads/${id}`);
    },
    get: (id) => request("get", "GET", `/api/uploads/${id}`),
    reportSummary: async (id, summary) => {
      await request("summary", "POST", `/api/uploads/${id}/summary`, summary);
    },
    signedInAs: async () => {
      try {
        return (await request<{ id: string }>("me", "GET", "/api/me")).id;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
  };
}
