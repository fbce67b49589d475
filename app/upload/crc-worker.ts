import type { PartChecksumAlgorithm } from "../shared/checksum-mode";
import { crcWasmModule } from "../shared/crc/crc";
import { CRC_WASM_DATA_OFFSET, CRC_WASM_WINDOW, crcWasmTables } from "../shared/crc/wasm-module";
import { mainThreadHasher, type SliceHasher } from "./hash";

/** What the worker is told: once, the compiled CRC module and its tables; then slices to checksum. */
type WorkerRequest =
  | { type: "init"; module: WebAssembly.Module; tables: Uint8Array; dataOffset: number; chunkBytes: number }
  | { type: "crc"; id: number; blob: Blob; algorithm: "CRC32C" | "CRC64NVME" };
type WorkerAnswer = { id: number; checksum: string } | { id: number; error: { name: string; message: string } };

interface WorkerScope {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerAnswer): void;
}

/**
 * The worker's whole program. It runs from its own source text (a blob: URL), so it must not refer to
 * anything outside itself: it gets the compiled WASM CRC module from the page, reads each slice with a
 * BYOB reader into one reused buffer, copies each chunk into the module's memory and runs the CRC there.
 * Requests are handled one at a time, in order.
 */
export function crcWorkerMain(scope: WorkerScope): void {
  let crc:
    | { crc32c(crc: number, p: number, len: number): number; crc64nvme(crc: bigint, p: number, len: number): bigint }
    | undefined;
  let heap = new Uint8Array(0);
  let dataOffset = 0;
  let buffer = new ArrayBuffer(0);
  let queue = Promise.resolve();

  async function init(request: Extract<WorkerRequest, { type: "init" }>) {
    const instance = await WebAssembly.instantiate(request.module);
    const exports = instance.exports as unknown as NonNullable<typeof crc> & { memory: WebAssembly.Memory };
    heap = new Uint8Array(exports.memory.buffer);
    heap.set(request.tables, 0);
    dataOffset = request.dataOffset;
    buffer = new ArrayBuffer(request.chunkBytes);
    crc = exports;
  }

  async function checksum(request: Extract<WorkerRequest, { type: "crc" }>): Promise<string> {
    if (!crc) throw new Error("The CRC module is not loaded.");
    const wide = request.algorithm === "CRC64NVME";
    let crc32 = -1;
    let crc64 = -1n;
    const reader = request.blob.stream().getReader({ mode: "byob" });
    for (;;) {
      const { value, done } = await reader.read(new Uint8Array(buffer));
      if (value) buffer = value.buffer as ArrayBuffer;
      if (done || !value) break;
      heap.set(value, dataOffset);
      if (wide) crc64 = crc.crc64nvme(crc64, dataOffset, value.length);
      else crc32 = crc.crc32c(crc32, dataOffset, value.length);
    }
    const bytes: number[] = [];
    if (wide) {
      const value = BigInt.asUintN(64, ~crc64);
      for (let i = 7; i >= 0; i -= 1) bytes.push(Number((value >> BigInt(i * 8)) & 255n));
    } else {
      const value = ~crc32 >>> 0;
      bytes.push(value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255);
    }
    return btoa(String.fromCharCode(...bytes));
  }

  async function handle(request: WorkerRequest) {
    if (request.type === "init") return init(request);
    try {
      scope.postMessage({ id: request.id, checksum: await checksum(request) });
    } catch (error) {
      const { name = "Error", message = String(error) } = (error ?? {}) as { name?: string; message?: string };
      scope.postMessage({ id: request.id, error: { name, message } });
    }
  }

  scope.onmessage = (event) => {
    queue = queue.then(() => handle(event.data)).catch(() => undefined);
  };
}

/** An error as the worker reported it: DOMExceptions (a file that can no longer be read) keep their name. */
function reported(error: { name: string; message: string }): Error {
  return error.name === "Error" ? new Error(error.message) : new DOMException(error.message, error.name);
}

/** Starts the checksum worker, or returns undefined where Workers, module workers or WASM are unavailable. */
function startWorker(): Worker | undefined {
  const module = crcWasmModule();
  if (!module || typeof Worker === "undefined" || typeof URL.createObjectURL !== "function") return undefined;
  try {
    const source = `(${crcWorkerMain.toString()})(self);`;
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    const worker = new Worker(url, { type: "module", name: "part checksums" });
    URL.revokeObjectURL(url);
    const init: WorkerRequest = {
      type: "init",
      module,
      tables: crcWasmTables(),
      dataOffset: CRC_WASM_DATA_OFFSET,
      chunkBytes: CRC_WASM_WINDOW,
    };
    worker.postMessage(init);
    return worker;
  } catch {
    return undefined;
  }
}

/**
 * Part checksums off the page's thread: CRCs go to a dedicated module Worker running the WASM CRC over
 * BYOB reads (a Worker is for responsiveness: the page never blocks on hashing), SHA-256 and every case
 * the Worker cannot take (no Worker, no WASM, a Content-Security-Policy that refuses either, the worker
 * failing) go to `fallback` on this thread.
 */
export function workerHasher(fallback: SliceHasher = mainThreadHasher): SliceHasher {
  let worker: Worker | undefined | null;
  let nextId = 0;
  const pending = new Map<number, { resolve: (checksum: string) => void; reject: (error: unknown) => void }>();

  const broken = (reason: string) => {
    worker?.terminate();
    worker = null;
    for (const { reject } of pending.values()) reject(new WorkerUnavailable(reason));
    pending.clear();
  };

  const ready = (): Worker | undefined => {
    if (worker === undefined) {
      worker = startWorker() ?? null;
      worker?.addEventListener("message", (event: MessageEvent<WorkerAnswer>) => {
        const answer = event.data;
        const waiting = pending.get(answer.id);
        pending.delete(answer.id);
        if ("checksum" in answer) waiting?.resolve(answer.checksum);
        else waiting?.reject(reported(answer.error));
      });
      worker?.addEventListener("error", () => broken("the checksum worker failed"));
    }
    return worker ?? undefined;
  };

  return async (blob: Blob, algorithm: PartChecksumAlgorithm) => {
    const running = algorithm === "SHA256" ? undefined : ready();
    if (!running || algorithm === "SHA256") return fallback(blob, algorithm);
    const id = (nextId += 1);
    try {
      return await new Promise<string>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        const request: WorkerRequest = { type: "crc", id, blob, algorithm };
        running.postMessage(request);
      });
    } catch (error) {
      if (error instanceof WorkerUnavailable) return fallback(blob, algorithm);
      throw error;
    }
  };
}

class WorkerUnavailable extends Error {}
