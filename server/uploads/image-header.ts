/**
 * Reads an image's header far enough to know its dimensions: the PNG IHDR chunk (with its CRC), the
 * JPEG start-of-frame segment, the WebP VP8/VP8L/VP8X chunk and the GIF logical screen. A file that
 * only starts with an image's magic bytes (a PNG signature followed by HTML) does not parse.
 */
import { crc32 } from "node:zlib";

export interface Dimensions {
  width: number;
  height: number;
}

/** The dimensions; "incomplete" when the header runs past `bytes` (read more); undefined when it is not that image. */
export type HeaderResult = Dimensions | "incomplete" | undefined;

const ascii = (b: Uint8Array, start: number, end: number) => String.fromCharCode(...b.subarray(start, end));
const u16be = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const u16le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u24le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
const u32be = (b: Uint8Array, at: number) =>
  ((b[at]! << 24) >>> 0) + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
const u32le = (b: Uint8Array, at: number) => u16le(b, at) + u16le(b, at + 2) * 0x10000;

const dimensions = (width: number, height: number): Dimensions | undefined =>
  width > 0 && height > 0 ? { width, height } : undefined;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** PNG: the first chunk must be a 13-byte IHDR with valid fields and a matching CRC. */
function png(b: Uint8Array): HeaderResult {
  if (b.length < 33) return "incomplete";
  if (!PNG_SIGNATURE.every((byte, i) => b[i] === byte)) return undefined;
  if (u32be(b, 8) !== 13 || ascii(b, 12, 16) !== "IHDR") return undefined;
  if (crc32(b.subarray(12, 29)) !== u32be(b, 29)) return undefined;
  const [depth, colour, compression, filter, interlace] = b.subarray(24, 29);
  const depths: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
  if (!depths[colour!]?.includes(depth!) || compression !== 0 || filter !== 0 || interlace! > 1) return undefined;
  const width = u32be(b, 16);
  const height = u32be(b, 20);
  return width <= 0x7fffffff && height <= 0x7fffffff ? dimensions(width, height) : undefined;
}

/** GIF: the logical screen, then (after any global colour table) an extension, an image or the trailer. */
function gif(b: Uint8Array): HeaderResult {
  if (b.length < 13) return "incomplete";
  const version = ascii(b, 0, 6);
  if (version !== "GIF87a" && version !== "GIF89a") return undefined;
  const packed = b[10]!;
  const next = 13 + (packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0);
  if (b.length <= next) return "incomplete";
  if (![0x21, 0x2c, 0x3b].includes(b[next]!)) return undefined;
  return dimensions(u16le(b, 6), u16le(b, 8));
}

/** WebP: RIFF/WEBP, then a VP8 (lossy), VP8L (lossless) or VP8X (extended) chunk. */
function webp(b: Uint8Array): HeaderResult {
  if (b.length < 30) return "incomplete";
  if (ascii(b, 0, 4) !== "RIFF" || ascii(b, 8, 12) !== "WEBP" || u32le(b, 4) < 4 + 8 + 10) return undefined;
  const chunk = ascii(b, 12, 16);
  if (chunk === "VP8 ") {
    // A key frame's tag (bit 0 clear), then the start code 9d 01 2a and 14-bit sizes.
    if ((b[20]! & 0x01) !== 0 || b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return undefined;
    return dimensions(u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff);
  }
  if (chunk === "VP8L") {
    // The 0x2f signature, then width - 1 and height - 1 in 14 bits each, and a zero version.
    const bits = u32le(b, 21);
    if (b[20] !== 0x2f || bits >>> 29 !== 0) return undefined;
    return dimensions((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (chunk === "VP8X") {
    if (u32le(b, 16) < 10) return undefined;
    return dimensions(u24le(b, 24) + 1, u24le(b, 27) + 1);
  }
  return undefined;
}

// Start-of-frame markers: C0-CF except DHT (C4), JPG (C8) and DAC (CC).
const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/** JPEG: walk the segments after SOI up to the start of frame; scan data or the end before it is not a JPEG. */
function jpeg(b: Uint8Array): HeaderResult {
  if (b.length < 4) return "incomplete";
  if (b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let at = 2;
  for (;;) {
    if (at + 4 > b.length) return "incomplete";
    if (b[at] !== 0xff) return undefined;
    let marker = b[at + 1]!;
    while (marker === 0xff) {
      at += 1; // fill bytes
      if (at + 4 > b.length) return "incomplete";
      marker = b[at + 1]!;
    }
    // Standalone markers carry no length.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (marker === 0x00 || marker === 0xd8 || marker === 0xd9 || marker === 0xda) return undefined;
    const length = u16be(b, at + 2);
    if (length < 2) return undefined;
    if (SOF_MARKERS.has(marker)) {
      if (at + 11 > b.length) return "incomplete";
      if (length < 8 || b[at + 9] === 0) return undefined;
      return dimensions(u16be(b, at + 7), u16be(b, at + 5));
    }
    at += 2 + length;
  }
}

const PARSERS: Record<string, (b: Uint8Array) => HeaderResult> = {
  "image/png": png,
  "image/gif": gif,
  "image/webp": webp,
  "image/jpeg": jpeg,
};

/** Whether `contentType` is an image whose header this module reads. */
export const isCheckedImage = (contentType: string) => contentType in PARSERS;

/** The image's dimensions from its first bytes; `complete` says `bytes` is the whole file (no "incomplete"). */
export function imageDimensions(contentType: string, bytes: Uint8Array, complete: boolean): HeaderResult {
  const parse = PARSERS[contentType];
  const result = parse ? parse(bytes) : undefined;
  return result === "incomplete" && complete ? undefined : result;
}
