import { sliceTables } from "./params";

/*
 * A ~1 KB WebAssembly module with slice-by-16 CRC32C and CRC64NVME, emitted as bytes by the code
 * below (no toolchain): two straight-line loops of table lookups over linear memory. WASM has no
 * carry-less multiply, so table lookups are as fast as it gets (~1–1.5 GiB per CPU-second).
 *
 * Memory layout: CRC32C tables at 0 (16 × 256 × 4 bytes), CRC64NVME tables at 16 KiB
 * (16 × 256 × 8 bytes), the bytes to checksum at 64 KiB (a 1 MiB window). The tables are computed
 * in JS (`crcWasmTables`) and copied in once per instance.
 */
const SLICES = 16;
const T32 = 0;
const T64 = 16_384;
export const CRC_WASM_DATA_OFFSET = 65_536;
export const CRC_WASM_WINDOW = 1_048_576;
const PAGES = (CRC_WASM_DATA_OFFSET + CRC_WASM_WINDOW) / 65_536;

const op = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  localGet: 0x20,
  localSet: 0x21,
  i32Load: 0x28,
  i64Load: 0x29,
  i32Load8U: 0x2d,
  i32Const: 0x41,
  i64Const: 0x42,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32And: 0x71,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i32ShrU: 0x76,
  i64Xor: 0x85,
  i64ShrU: 0x88,
  i32WrapI64: 0xa7,
} as const;
const I32 = 0x7f;
const I64 = 0x7e;
const VOID = 0x40;

function unsignedLeb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function signedLeb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

const vector = (items: number[][]): number[] => [...unsignedLeb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...unsignedLeb(body.length), ...body];
const name = (text: string): number[] => vector([...text].map((c) => [c.charCodeAt(0)]));
const load = (opcode: number, align: number, offset: number) => [opcode, align, ...unsignedLeb(offset)];

// Locals shared by both functions: 0 crc, 1 p, 2 len, 3 end, 4 endOfBlocks, then the block's words.
const CRC = 0;
const P = 1;
const LEN = 2;
const END = 3;
const END_OF_BLOCKS = 4;
const WORDS = 5;

/** end = p + len; endOfBlocks = p + (len rounded down to a block). */
const prologue = (): number[] => [
  ...[op.localGet, P, op.localGet, LEN, op.i32Add, op.localSet, END],
  ...[op.localGet, P, op.localGet, LEN, op.i32Const, ...signedLeb(-SLICES), op.i32And, op.i32Add],
  ...[op.localSet, END_OF_BLOCKS],
];

/** while (p < limit) { body; p += step } */
const loopUntil = (limit: number, step: number, body: number[]): number[] => [
  ...[op.block, VOID, op.loop, VOID],
  ...[op.localGet, P, op.localGet, limit, op.i32GeU, op.brIf, 1],
  ...body,
  ...[op.localGet, P, op.i32Const, ...signedLeb(step), op.i32Add, op.localSet, P],
  ...[op.br, 0, op.end, op.end],
];

function crc32Body(): number[] {
  const words = SLICES / 4;
  const block: number[] = [];
  for (let w = 0; w < words; w += 1) {
    block.push(op.localGet, P, ...load(op.i32Load, 2, w * 4));
    if (w === 0) block.push(op.localGet, CRC, op.i32Xor);
    block.push(op.localSet, WORDS + w);
  }
  for (let j = 0; j < SLICES; j += 1) {
    const shift = (j % 4) * 8;
    block.push(op.localGet, WORDS + Math.floor(j / 4));
    if (shift) block.push(op.i32Const, ...signedLeb(shift), op.i32ShrU);
    block.push(op.i32Const, ...signedLeb(255), op.i32And, op.i32Const, 2, op.i32Shl);
    block.push(...load(op.i32Load, 2, T32 + (SLICES - 1 - j) * 1024));
    if (j > 0) block.push(op.i32Xor);
  }
  block.push(op.localSet, CRC);
  const tail = [
    ...[op.localGet, CRC, op.i32Const, 8, op.i32ShrU],
    ...[op.localGet, CRC, op.localGet, P, ...load(op.i32Load8U, 0, 0), op.i32Xor],
    ...[op.i32Const, ...signedLeb(255), op.i32And, op.i32Const, 2, op.i32Shl, ...load(op.i32Load, 2, T32)],
    ...[op.i32Xor, op.localSet, CRC],
  ];
  const code = [...prologue(), ...loopUntil(END_OF_BLOCKS, SLICES, block), ...loopUntil(END, 1, tail)];
  return [...vector([[2 + words, I32]]), ...code, op.localGet, CRC, op.end];
}

function crc64Body(): number[] {
  const words = SLICES / 8;
  const block: number[] = [];
  for (let w = 0; w < words; w += 1) {
    block.push(op.localGet, P, ...load(op.i64Load, 3, w * 8));
    if (w === 0) block.push(op.localGet, CRC, op.i64Xor);
    block.push(op.localSet, WORDS + w);
  }
  for (let j = 0; j < SLICES; j += 1) {
    const shift = (j % 8) * 8;
    block.push(op.localGet, WORDS + Math.floor(j / 8));
    if (shift) block.push(op.i64Const, ...signedLeb(shift), op.i64ShrU);
    block.push(op.i32WrapI64, op.i32Const, ...signedLeb(255), op.i32And, op.i32Const, 3, op.i32Shl);
    block.push(...load(op.i64Load, 3, T64 + (SLICES - 1 - j) * 2048));
    if (j > 0) block.push(op.i64Xor);
  }
  block.push(op.localSet, CRC);
  const tail = [
    ...[op.localGet, CRC, op.i64Const, 8, op.i64ShrU],
    ...[op.localGet, CRC, op.i32WrapI64, op.localGet, P, ...load(op.i32Load8U, 0, 0), op.i32Xor],
    ...[op.i32Const, ...signedLeb(255), op.i32And, op.i32Const, 3, op.i32Shl, ...load(op.i64Load, 3, T64)],
    ...[op.i64Xor, op.localSet, CRC],
  ];
  const code = [...prologue(), ...loopUntil(END_OF_BLOCKS, SLICES, block), ...loopUntil(END, 1, tail)];
  return [
    ...vector([
      [2, I32],
      [words, I64],
    ]),
    ...code,
    op.localGet,
    CRC,
    op.end,
  ];
}

/** The module's bytes: exports `memory`, `crc32c(crc, p, len)` and `crc64nvme(crc, p, len)` over raw registers. */
export function crcWasmBytes(): Uint8Array {
  const types = vector([
    [0x60, ...vector([[I32], [I32], [I32]]), ...vector([[I32]])],
    [0x60, ...vector([[I64], [I32], [I32]]), ...vector([[I64]])],
  ]);
  const functions = vector([[0], [1]]);
  const memory = vector([[0x00, ...unsignedLeb(PAGES)]]);
  const exports = vector([
    [...name("memory"), 0x02, 0],
    [...name("crc32c"), 0x00, 0],
    [...name("crc64nvme"), 0x00, 1],
  ]);
  const bodies = [crc32Body(), crc64Body()].map((body) => [...unsignedLeb(body.length), ...body]);
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, types),
    ...section(3, functions),
    ...section(5, memory),
    ...section(7, exports),
    ...section(10, vector(bodies)),
  ]);
}

/** The lookup tables as they go at the start of the module's memory (48 KiB). */
export function crcWasmTables(): Uint8Array {
  const bytes = new Uint8Array(T64 + SLICES * 256 * 8);
  const view = new DataView(bytes.buffer);
  sliceTables("CRC32C", SLICES).forEach((table, k) =>
    table.forEach((entry, i) => view.setUint32(T32 + k * 1024 + i * 4, Number(entry), true)),
  );
  sliceTables("CRC64NVME", SLICES).forEach((table, k) =>
    table.forEach((entry, i) => view.setBigUint64(T64 + k * 2048 + i * 8, entry, true)),
  );
  return bytes;
}
