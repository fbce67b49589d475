import { Crc32c, Crc64Nvme } from "@aws-sdk/checksums/crc";
import { describe, expect, it } from "vitest";
import { crcWasmModule } from "~/shared/crc/crc";
import { CRC_WASM_DATA_OFFSET, CRC_WASM_WINDOW, crcWasmTables } from "~/shared/crc/wasm-module";
import { crcWorkerMain, workerHasher } from "~/upload/crc-worker";

async function sdk(algorithm: "CRC32C" | "CRC64NVME", bytes: Uint8Array) {
  const crc = algorithm === "CRC32C" ? new Crc32c() : new Crc64Nvme();
  crc.update(bytes);
  return Buffer.from(await crc.digest()).toString("base64");
}

const bytes = new Uint8Array(2 * CRC_WASM_WINDOW + 12_345).map((_, i) => (i * 7 + (i >> 11)) & 0xff);

/** The worker's program, run in this thread against a scope that records what it posts. */
function runWorker() {
  const answers: unknown[] = [];
  const scope = {
    onmessage: null as ((event: MessageEvent) => void) | null,
    postMessage: (message: unknown) => void answers.push(message),
  };
  crcWorkerMain(scope);
  const send = (data: unknown) => scope.onmessage!({ data } as MessageEvent);
  send({
    type: "init",
    module: crcWasmModule(),
    tables: crcWasmTables(),
    dataOffset: CRC_WASM_DATA_OFFSET,
    chunkBytes: CRC_WASM_WINDOW,
  });
  return { answers, send };
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 1000 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe("the checksum worker", () => {
  it("checksums slices in order, over BYOB reads into the WASM CRC, as the AWS SDK does", async () => {
    const worker = runWorker();
    const blob = new Blob([bytes]);
    worker.send({ type: "crc", id: 1, blob: blob.slice(3), algorithm: "CRC64NVME" });
    worker.send({ type: "crc", id: 2, blob: blob.slice(0, 1_000_001), algorithm: "CRC32C" });
    worker.send({ type: "crc", id: 3, blob: blob.slice(0, 0), algorithm: "CRC32C" });
    await until(() => worker.answers.length === 3);
    expect(worker.answers).toEqual([
      { id: 1, checksum: await sdk("CRC64NVME", bytes.subarray(3)) },
      { id: 2, checksum: await sdk("CRC32C", bytes.subarray(0, 1_000_001)) },
      { id: 3, checksum: await sdk("CRC32C", new Uint8Array()) },
    ]);
  });

  it("reports a slice it cannot read by the error's name, and goes on with the next", async () => {
    const worker = runWorker();
    const unreadable = {
      stream: () => {
        throw new DOMException("The requested file could not be read.", "NotReadableError");
      },
    };
    worker.send({ type: "crc", id: 1, blob: unreadable, algorithm: "CRC32C" });
    worker.send({ type: "crc", id: 2, blob: new Blob([bytes.subarray(0, 10)]), algorithm: "CRC32C" });
    await until(() => worker.answers.length === 2);
    expect(worker.answers[0]).toEqual({
      id: 1,
      error: { name: "NotReadableError", message: "The requested file could not be read." },
    });
    expect(worker.answers[1]).toEqual({ id: 2, checksum: await sdk("CRC32C", bytes.subarray(0, 10)) });
  });

  it("its source runs on its own: it refers to nothing outside itself", async () => {
    const answers: unknown[] = [];
    const scope = {
      onmessage: null as ((event: MessageEvent) => void) | null,
      postMessage: (m: unknown) => answers.push(m),
    };
    // Evaluated from its text, as the blob: URL worker does, with no module scope around it.
    new Function("self", `(${crcWorkerMain.toString()})(self);`)(scope);
    const send = (data: unknown) => scope.onmessage!({ data } as MessageEvent);
    send({
      type: "init",
      module: crcWasmModule(),
      tables: crcWasmTables(),
      dataOffset: CRC_WASM_DATA_OFFSET,
      chunkBytes: 4096,
    });
    send({ type: "crc", id: 7, blob: new Blob([bytes.subarray(0, 100_000)]), algorithm: "CRC64NVME" });
    await until(() => answers.length === 1);
    expect(answers).toEqual([{ id: 7, checksum: await sdk("CRC64NVME", bytes.subarray(0, 100_000)) }]);
  });

  it("falls back to the page's thread where there is no Worker (here: Node)", async () => {
    const calls: string[] = [];
    const hasher = workerHasher(async (_blob, algorithm) => {
      calls.push(algorithm);
      return "fallback";
    });
    expect(await hasher(new Blob([bytes]), "CRC64NVME")).toBe("fallback");
    expect(await hasher(new Blob([bytes]), "SHA256")).toBe("fallback");
    expect(calls).toEqual(["CRC64NVME", "SHA256"]);
  });
});
