/**
 * What a file's first bytes say it is, shared by the server (which checks the stored object before
 * completing) and the browser (which checks the chosen file before sending any byte of it).
 */

/** How many leading bytes the sniffers need. */
export const SNIFF_BYTES = 64;

const startsWith = (bytes: Uint8Array, signature: number[], offset = 0) =>
  signature.every((b, i) => bytes[offset + i] === b);
const ascii = (bytes: Uint8Array, start: number, end: number) => String.fromCharCode(...bytes.subarray(start, end));

/** The types this app accepts, recognised by their magic bytes (what the file is, whatever it claims). */
const SNIFFERS: Record<string, (b: Uint8Array) => boolean> = {
  "image/jpeg": (b) => startsWith(b, [0xff, 0xd8, 0xff]),
  "image/png": (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  "image/gif": (b) => ascii(b, 0, 6) === "GIF87a" || ascii(b, 0, 6) === "GIF89a",
  "image/webp": (b) => ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 12) === "WEBP",
  // ISO base media: an "ftyp" box first. QuickTime files may also open with other atoms.
  "video/mp4": (b) => ascii(b, 4, 8) === "ftyp",
  "video/quicktime": (b) =>
    ascii(b, 4, 8) === "ftyp" || ["moov", "mdat", "wide", "free", "skip", "pnot"].includes(ascii(b, 4, 8)),
  "video/webm": (b) => startsWith(b, [0x1a, 0x45, 0xdf, 0xa3]),
};

/** Whether the bytes are plausibly a file of `contentType`; unknown types never match. */
export function matchesContentType(contentType: string, head: Uint8Array): boolean {
  const sniff = SNIFFERS[contentType];
  return sniff ? sniff(head) : false;
}
