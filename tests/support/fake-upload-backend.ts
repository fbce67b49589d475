import { createHash } from "node:crypto";
import {
  CHECKSUM_MODE,
  checksumHeaderName,
  type ChecksumMode,
  type PartChecksumAlgorithm,
} from "~/shared/checksum-mode";
import { ApiError, type CreateUploadInput, type UploadApi } from "~/upload/api";
import type { OnlineSignal, UploadLocks, WakeLocker } from "~/upload/environment";
import { partRange, planParts } from "~/shared/plan";
import { PartFailure, abortError, type PartRequest, type PartTransport } from "~/upload/transport";
import type { UploadView } from "~/shared/uploads";
import type { UploadSummary } from "~/shared/upload-summary";
import type { Failure } from "~/upload/retry";
import type { HandleStore, KeptHandle } from "~/upload/file-handles";
import type { TabChannel, TabNews } from "~/upload/tab-presence";
import { checksumOf } from "./checksums.js";

interface StoredPart {
  etag: string;
  checksum: string;
  size: number;
  bytes: Uint8Array;
}

/**
 * An in-memory stand-in for the upload API plus S3, for unit tests of the uploader's logic only
 * (integration and browser tests run the real server and the local S3). It enforces what matters to
 * the uploader: signed checksums, URL expiry, exact sizes, ListParts as the truth.
 */
export class FakeUploadBackend {
  view?: UploadView;
  readonly parts = new Map<number, StoredPart>();
  readonly calls = {
    create: 0,
    sign: [] as number[][],
    record: [] as number[][],
    complete: 0,
    abort: 0,
    transport: [] as number[],
  };
  /** Scripted failures per part number, consumed one per attempt. */
  readonly failures = new Map<number, Array<Failure | "hang">>();
  /** Called on each transport attempt before it resolves; tests use it to advance time mid-part. */
  onTransfer?: (partNumber: number) => Promise<void>;
  inFlight = 0;
  maxInFlight = 0;
  aborted = false;
  gone = false;
  urlTtlSeconds = 900;
  concurrency = 3;
  attempts = 4;
  partSize = 5 * 1024 * 1024;
  /**
   * How "S3" checks parts and makes the object's checksum. SHA-256 by default because node:crypto is
   * fast and the SDK's CRC64NVME (the independent one these fakes use) is slow pure JS; tests of the
   * other modes set it.
   */
  checksumMode: ChecksumMode = CHECKSUM_MODE.sha256;

  constructor(private readonly now: () => number = Date.now) {}

  /** Scripted API refusals: the named call answers with this status, once per entry. */
  readonly apiFailures: Array<{ call: keyof UploadApi; status: number }> = [];

  private refuse(call: keyof UploadApi): void {
    if (!this.signedIn && call !== "signedInAs") throw new ApiError(401, "unauthenticated", "Sign in to use this API.");
    const index = this.apiFailures.findIndex((f) => f.call === call);
    if (index < 0) return;
    const { status } = this.apiFailures.splice(index, 1)[0]!;
    throw new ApiError(status, status === 0 ? "network" : "refused", `The app answered ${status}.`);
  }

  api: UploadApi = {
    create: async (input: CreateUploadInput) => {
      this.refuse("create");
      this.calls.create += 1;
      if (!this.view) {
        const plan = planParts(input.size, this.partSize);
        this.view = {
          id: "11111111-2222-4333-8444-555555555555",
          fileName: input.fileName,
          size: input.size,
          contentType: input.contentType,
          fingerprint: input.fingerprint,
          status: "uploading",
          partSize: plan.partSize,
          partCount: plan.partCount,
          concurrency: this.concurrency,
          urlTtlSeconds: this.urlTtlSeconds,
          retry: { baseMs: 1000, capMs: 30_000, attempts: this.attempts, waitCapMs: 60_000 },
          stallTimeoutMs: 30_000,
          checksumMode: this.checksumMode,
          completedParts: [],
          objectChecksum: null,
          failureReason: null,
          createdAt: new Date(0).toISOString(),
          lastActivityAt: new Date(0).toISOString(),
        };
      }
      return { ...this.view, completedParts: this.completedParts() };
    },
    signParts: async (_id, parts) => {
      this.refuse("signParts");
      this.calls.sign.push(parts.map((p) => p.partNumber));
      const expiresAt = this.now() + this.urlTtlSeconds * 1000;
      return {
        expiresAt: new Date(expiresAt).toISOString(),
        parts: parts.map((p) => ({
          partNumber: p.partNumber,
          size: partRange(this.plan(), p.partNumber).size,
          url: `fake://part/${p.partNumber}?expires=${expiresAt}`,
          headers: { [checksumHeaderName(p.checksum.algorithm)]: p.checksum.value },
        })),
      };
    },
    recordParts: async (_id, parts) => {
      this.refuse("recordParts");
      this.calls.record.push(parts.map((p) => p.partNumber));
      if (parts.some((p) => this.parts.get(p.partNumber)?.etag !== p.etag))
        throw new ApiError(400, "unknown_part", "no such part");
    },
    complete: async () => {
      this.refuse("complete");
      this.calls.complete += 1;
      const missing = [];
      for (let n = 1; n <= this.plan().partCount; n += 1) if (!this.parts.has(n)) missing.push(n);
      if (missing.length > 0) throw new ApiError(409, "parts_missing", "missing", { missing, wrongSize: [] });
      this.view = { ...this.view!, status: "completed", objectChecksum: await this.objectChecksum() };
      return { ...this.view, completedParts: this.completedParts() };
    },
    abort: async () => {
      this.calls.abort += 1;
      this.refuse("abort");
      this.aborted = true;
    },
    get: async () => ({ ...this.view!, completedParts: this.completedParts() }),
    signedInAs: async () => (this.signedIn ? "user-1" : null),
    reportSummary: async (_id, summary) => {
      this.refuse("reportSummary");
      this.summaries.push(summary);
    },
  };

  /** The summaries the uploader reported, in order. */
  readonly summaries: UploadSummary[] = [];

  /** Whether the session is valid: the API answers 401 otherwise. */
  signedIn = true;

  transport: PartTransport = async (request: PartRequest) => {
    const partNumber = Number(request.url.match(/part\/(\d+)/)![1]);
    const expires = Number(request.url.match(/expires=(\d+)/)![1]);
    this.calls.transport.push(partNumber);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (request.signal.aborted) throw abortError();
      const scripted = this.failures.get(partNumber)?.shift();
      request.onProgress(Math.floor(request.body.size / 2));
      if (scripted === "hang") {
        await new Promise((_resolve, reject) => request.signal.addEventListener("abort", () => reject(abortError())));
      }
      await this.onTransfer?.(partNumber);
      if (request.signal.aborted) throw abortError();
      if (scripted && scripted !== "hang") throw new PartFailure(scripted);
      if (this.gone) throw new PartFailure({ type: "http", status: 404, code: "NoSuchUpload" });
      if (this.now() > expires)
        throw new PartFailure({ type: "http", status: 403, code: "AccessDenied", message: "Request has expired" });
      const bytes = bytesOf(request.body);
      const { algorithm } = this.view!.checksumMode;
      const checksum = await checksumOf(algorithm, bytes);
      if (request.headers[checksumHeaderName(algorithm)] !== checksum)
        throw new PartFailure({ type: "http", status: 400, code: "BadDigest" });
      if (bytes.length !== partRange(this.plan(), partNumber).size)
        throw new PartFailure({ type: "http", status: 403, code: "SignatureDoesNotMatch" });
      const etag = `"${createHash("md5").update(bytes).digest("hex")}"`;
      this.parts.set(partNumber, { etag, checksum, size: bytes.length, bytes });
      request.onProgress(bytes.length);
      return { etag };
    } finally {
      this.inFlight -= 1;
    }
  };

  /** Puts a part in "S3" as if an earlier session had sent it. */
  async preload(partNumber: number, bytes: Buffer): Promise<void> {
    this.parts.set(partNumber, {
      etag: `"${createHash("md5").update(bytes).digest("hex")}"`,
      checksum: await checksumOf(this.checksumMode.algorithm, bytes),
      size: bytes.length,
      bytes,
    });
  }

  /**
   * The object's checksum as S3 makes it from the parts it holds: the CRC of all their bytes for
   * FULL_OBJECT, else the checksum of the part checksums, "-<parts>".
   */
  private async objectChecksum(): Promise<string> {
    const parts = [...this.parts.entries()].sort(([a], [b]) => a - b).map(([, p]) => p);
    const { algorithm, type } = this.view!.checksumMode;
    if (type === "FULL_OBJECT") return checksumOf(algorithm, Buffer.concat(parts.map((p) => p.bytes)));
    const digests = Buffer.concat(parts.map((p) => Buffer.from(p.checksum, "base64")));
    return `${await checksumOf(algorithm, digests)}-${parts.length}`;
  }

  private plan() {
    return { fileSize: this.view!.size, partSize: this.view!.partSize, partCount: this.view!.partCount };
  }

  private completedParts() {
    return [...this.parts.entries()]
      .sort(([a], [b]) => a - b)
      .map(([partNumber, p]) => ({ partNumber, size: p.size, etag: p.etag, checksum: p.checksum }));
  }
}

export class FakeOnline implements OnlineSignal {
  private listeners = new Set<(online: boolean) => void>();
  constructor(public online = true) {}
  isOnline = () => this.online;
  subscribe(listener: (online: boolean) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  set(online: boolean) {
    this.online = online;
    for (const l of this.listeners) l(online);
  }
}

export class FakeLocks implements UploadLocks {
  readonly held = new Set<string>();
  private waiters: Array<{ name: string; wake: () => void }> = [];
  async acquire(name: string) {
    if (this.held.has(name)) return null;
    this.held.add(name);
    return () => this.release(name);
  }
  whenFree(name: string, signal: AbortSignal) {
    if (!this.held.has(name)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ name, wake: resolve });
      signal.addEventListener("abort", () => reject(new DOMException("Aborted", "AbortError")), { once: true });
    });
  }
  release(name: string) {
    this.held.delete(name);
    const woken = this.waiters.filter((w) => w.name === name);
    this.waiters = this.waiters.filter((w) => w.name !== name);
    woken.forEach((w) => w.wake());
  }
}

export const noWakeLock: WakeLocker = { acquire: async () => () => undefined };

/**
 * A Blob whose bytes can be read synchronously: keeps unit tests free of real I/O, hence deterministic.
 * Its bytes stay in the Buffer (Node copies a Blob's parts when it makes one, which costs seconds for
 * the tens of MiB these tests upload): size, slice and arrayBuffer read them from there.
 */
export class MemoryBlob extends Blob {
  constructor(
    readonly content: Buffer,
    type = "",
  ) {
    super([], { type });
  }
  override get size(): number {
    return this.content.length;
  }
  override slice(start = 0, end = this.content.length): Blob {
    return new MemoryBlob(this.content.subarray(start, end));
  }
  override async arrayBuffer(): Promise<ArrayBuffer> {
    return new Uint8Array(this.content).buffer;
  }
}

export class MemoryFile extends File {
  constructor(
    readonly content: Buffer,
    name: string,
    options: FilePropertyBag,
  ) {
    super([], name, options);
  }
  override get size(): number {
    return this.content.length;
  }
  override slice(start = 0, end = this.content.length): Blob {
    return new MemoryBlob(this.content.subarray(start, end));
  }
}

export function bytesOf(blob: Blob): Buffer {
  if (!(blob instanceof MemoryBlob)) throw new Error("unit tests slice MemoryFiles only");
  return blob.content;
}

/** Part checksums without I/O, for MemoryBlobs. */
export const memoryHasher = async (blob: Blob, algorithm: PartChecksumAlgorithm) =>
  checksumOf(algorithm, bytesOf(blob));

/** Tabs talking over one channel: what one posts, the others hear (as a BroadcastChannel delivers). */
export class FakeChannelHub {
  private readonly listeners = new Map<object, Set<(news: TabNews) => void>>();
  readonly posted: TabNews[] = [];

  /** One tab's end of the channel. */
  tab(): TabChannel {
    const self = {};
    this.listeners.set(self, new Set());
    return {
      post: (news) => {
        this.posted.push(news);
        for (const [tab, listeners] of this.listeners)
          if (tab !== self) listeners.forEach((l) => queueMicrotask(() => l(structuredClone(news))));
      },
      listen: (listener) => {
        this.listeners.get(self)!.add(listener);
        return () => this.listeners.get(self)!.delete(listener);
      },
    };
  }
}

/** Handles kept in memory. */
export class MemoryHandleStore implements HandleStore {
  readonly entries = new Map<string, KeptHandle>();
  async put(entry: KeptHandle) {
    this.entries.set(entry.uploadId, entry);
  }
  async get(uploadId: string) {
    return this.entries.get(uploadId);
  }
  async remove(uploadId: string) {
    this.entries.delete(uploadId);
  }
}
