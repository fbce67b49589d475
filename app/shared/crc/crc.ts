import { CRC_PARAMS, allOnes, crcToBase64, sliceTables, type CrcAlgorithm } from "./params";
import { CRC_WASM_DATA_OFFSET, CRC_WASM_WINDOW, crcWasmBytes, crcWasmTables } from "./wasm-module";

/** Continues a raw (not yet finished) CRC register over `bytes`. */
export interface CrcEngine {
  readonly kind: "wasm" | "js";
  update(algorithm: CrcAlgorithm, register: bigint, bytes: Uint8Array): bigint;
}

/** The pure-JS engine: byte at a time, 32-bit halves for the 64-bit CRC (~200–350 MiB per CPU-second). */
export function jsCrcEngine(): CrcEngine {
  const tables = new Map<CrcAlgorithm, { lo: Uint32Array; hi: Uint32Array }>();
  const tableOf = (algorithm: CrcAlgorithm) => {
    let table = tables.get(algorithm);
    if (!table) {
      const entries = sliceTables(algorithm, 1)[0]!;
      table = {
        lo: Uint32Array.from(entries, (e) => Number(e & 0xffffffffn)),
        hi: Uint32Array.from(entries, (e) => Number(e >> 32n)),
      };
      tables.set(algorithm, table);
    }
    return table;
  };
  return {
    kind: "js",
    update(algorithm, register, bytes) {
      const { lo: tlo, hi: thi } = tableOf(algorithm);
      let lo = Number(register & 0xffffffffn);
      let hi = Number(register >> 32n);
      if (CRC_PARAMS[algorithm].width === 32) {
        for (let i = 0; i < bytes.length; i += 1) lo = (lo >>> 8) ^ tlo[(lo ^ bytes[i]!) & 0xff]!;
        return BigInt(lo >>> 0);
      }
      for (let i = 0; i < bytes.length; i += 1) {
        const index = (lo ^ bytes[i]!) & 0xff;
        lo = ((lo >>> 8) | (hi << 24)) ^ tlo[index]!;
        hi = (hi >>> 8) ^ thi[index]!;
      }
      return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    },
  };
}

let compiled: WebAssembly.Module | null | undefined;

/**
 * The compiled WASM module, or null where WebAssembly cannot run (absent, or refused by a
 * Content-Security-Policy without 'wasm-unsafe-eval'). Compiled synchronously: it is ~1 KB.
 */
export function crcWasmModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    compiled = new WebAssembly.Module(crcWasmBytes() as BufferSource);
  } catch {
    compiled = null;
  }
  return compiled;
}

interface CrcExports {
  memory: WebAssembly.Memory;
  crc32c(crc: number, p: number, len: number): number;
  crc64nvme(crc: bigint, p: number, len: number): bigint;
}

/** The WASM engine (CRC32C and CRC64NVME; CRC32 goes to `fallback`), or undefined where WASM cannot run. */
export function wasmCrcEngine(fallback: CrcEngine = jsCrcEngine()): CrcEngine | undefined {
  const module = crcWasmModule();
  if (!module) return undefined;
  const exports = new WebAssembly.Instance(module).exports as unknown as CrcExports;
  const heap = new Uint8Array(exports.memory.buffer);
  heap.set(crcWasmTables(), 0);
  return {
    kind: "wasm",
    update(algorithm, register, bytes) {
      if (algorithm === "CRC32") return fallback.update(algorithm, register, bytes);
      let crc32 = Number(register) | 0;
      let crc64 = register;
      for (let offset = 0; offset < bytes.length; offset += CRC_WASM_WINDOW) {
        const window = bytes.subarray(offset, offset + CRC_WASM_WINDOW);
        heap.set(window, CRC_WASM_DATA_OFFSET);
        if (algorithm === "CRC32C") crc32 = exports.crc32c(crc32, CRC_WASM_DATA_OFFSET, window.length);
        else crc64 = exports.crc64nvme(crc64, CRC_WASM_DATA_OFFSET, window.length);
      }
      return algorithm === "CRC32C" ? BigInt(crc32 >>> 0) : BigInt.asUintN(64, crc64);
    },
  };
}

let defaultEngine: CrcEngine | undefined;

/** The fastest engine this runtime allows: WASM, else pure JS. */
export function crcEngine(): CrcEngine {
  defaultEngine ??= wasmCrcEngine() ?? jsCrcEngine();
  return defaultEngine;
}

/** An incremental CRC: `update` with each chunk, then `digest` (the finished CRC) or `base64`. */
export class Crc {
  private register: bigint;

  constructor(
    readonly algorithm: CrcAlgorithm,
    private readonly engine: CrcEngine = crcEngine(),
  ) {
    this.register = allOnes(CRC_PARAMS[algorithm].width);
  }

  update(bytes: Uint8Array): this {
    this.register = this.engine.update(this.algorithm, this.register, bytes);
    return this;
  }

  digest(): bigint {
    return this.register ^ allOnes(CRC_PARAMS[this.algorithm].width);
  }

  base64(): string {
    return crcToBase64(this.algorithm, this.digest());
  }
}
