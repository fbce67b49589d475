import { readFileSync } from "node:fs";

/** Real images made by Chromium's encoders (40 × 30; the GIF is 1 × 1), one per header kind the server reads. */
export const IMAGE_FIXTURES = [
  { file: "photo.png", contentType: "image/png", width: 40, height: 30 },
  { file: "photo.jpg", contentType: "image/jpeg", width: 40, height: 30 },
  { file: "photo-vp8.webp", contentType: "image/webp", width: 40, height: 30 },
  { file: "photo-vp8l.webp", contentType: "image/webp", width: 40, height: 30 },
  { file: "photo-vp8x.webp", contentType: "image/webp", width: 40, height: 30 },
  { file: "pixels.gif", contentType: "image/gif", width: 1, height: 1 },
] as const;

export const imageBytes = (file: string): Buffer =>
  readFileSync(new URL(`../fixtures/images/${file}`, import.meta.url));

/** A real JPEG with `count` APP1 segments of 60,000 bytes after SOI: its frame header starts far in. */
export function jpegWithBulkyMetadata(count: number): Buffer {
  const jpeg = imageBytes("photo.jpg");
  const segment = Buffer.alloc(4 + 60_000 - 2, 0x20);
  segment.writeUInt16BE(0xffe1, 0);
  segment.writeUInt16BE(60_000, 2);
  return Buffer.concat([jpeg.subarray(0, 2), ...Array<Buffer>(count).fill(segment), jpeg.subarray(2)]);
}

/** Starts like the type (its magic bytes), then HTML: the files the header check exists for. */
export const POLYGLOTS = {
  "image/png": Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Buffer.from("<html><script>alert(1)</script></html>".padEnd(200)),
  ]),
  "image/jpeg": Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff]),
    Buffer.from("<html><script>alert(1)</script></html>".padEnd(200)),
  ]),
  "image/gif": Buffer.from("GIF89a<html><script>alert(1)</script></html>".padEnd(200)),
  "image/webp": Buffer.from(
    "RIFF\u00c8\u0000\u0000\u0000WEBP<html><script>alert(1)</script></html>".padEnd(200),
    "latin1",
  ),
} as const;
