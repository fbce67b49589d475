import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Page } from "@playwright/test";

const require = createRequire(import.meta.url);
// The package exports only its ESM entry; its browser build sits beside it.
const muxerSource = () => readFileSync(join(dirname(require.resolve("webm-muxer")), "webm-muxer.js"), "utf8");

export interface ClipOptions {
  width?: number;
  height?: number;
  seconds?: number;
}

/**
 * A real, seekable WebM clip (VP8, with Duration and Cues) made in `page` with WebCodecs and
 * webm-muxer: a sky that turns from day to dusk, a setting sun, and the time written on each frame.
 * The page must be a secure context (the app's origin is: it is localhost).
 */
export async function makeClip(page: Page, options: ClipOptions = {}): Promise<Buffer> {
  // Evaluated rather than added as a <script>: a Content-Security-Policy cannot block it.
  await page.evaluate(`${muxerSource()}\n;globalThis.WebMMuxer = WebMMuxer;`);
  const bytes = await page.evaluate(
    async ({ width, height, seconds }) => {
      const { Muxer, ArrayBufferTarget } = (window as unknown as { WebMMuxer: typeof import("webm-muxer") }).WebMMuxer;
      const fps = 30;
      const muxer = new Muxer({
        target: new ArrayBufferTarget(),
        video: { codec: "V_VP8", width, height, frameRate: fps },
      });
      const encoder = new VideoEncoder({
        output: (chunk, meta) => muxer.addVideoChunk(chunk, meta),
        error: (e) => {
          throw e;
        },
      });
      encoder.configure({ codec: "vp8", width, height, bitrate: 1_000_000, framerate: fps });
      const canvas = new OffscreenCanvas(width, height);
      const ctx = canvas.getContext("2d")!;
      const frames = Math.round(fps * seconds);
      for (let i = 0; i < frames; i += 1) {
        const t = i / frames;
        const sky = ctx.createLinearGradient(0, 0, 0, height);
        sky.addColorStop(0, `hsl(${220 - 30 * t} 70% ${55 - 25 * t}%)`);
        sky.addColorStop(1, `hsl(${35 - 20 * t} 90% ${65 - 15 * t}%)`);
        ctx.fillStyle = sky;
        ctx.fillRect(0, 0, width, height);
        ctx.fillStyle = "hsl(40 100% 70%)";
        ctx.beginPath();
        ctx.arc(width * 0.65, height * (0.45 + 0.3 * t), height * 0.12, 0, Math.PI * 2);
        ctx.fill();
        ctx.fillStyle = "hsl(210 40% 15%)";
        ctx.fillRect(0, height * 0.78, width, height * 0.22);
        ctx.fillStyle = "white";
        ctx.font = `bold ${Math.round(height / 8)}px sans-serif`;
        ctx.fillText(`${(i / fps).toFixed(1)} s`, width * 0.06, height * 0.2);
        const frame = new VideoFrame(canvas, {
          timestamp: Math.round((i * 1e6) / fps),
          duration: Math.round(1e6 / fps),
        });
        encoder.encode(frame, { keyFrame: i % fps === 0 });
        frame.close();
      }
      await encoder.flush();
      muxer.finalize();
      return [...new Uint8Array(muxer.target.buffer)];
    },
    { width: options.width ?? 640, height: options.height ?? 360, seconds: options.seconds ?? 3 },
  );
  return Buffer.from(bytes);
}

const EBML_ID = 0x1a45dfa3;
const SEGMENT_ID = 0x18538067;

/** Reads an EBML variable-length integer at `offset`: its value and its length in bytes. */
function readVint(bytes: Buffer, offset: number): { value: number; length: number } {
  const first = bytes[offset]!;
  const length = Math.clz32(first) - 23;
  let value = first & (0xff >> length);
  for (let i = 1; i < length; i += 1) value = value * 256 + bytes[offset + i]!;
  return { value, length };
}

/** An 8-byte EBML size field holding `value`. */
function sizeField(value: number): Buffer {
  const field = Buffer.alloc(8);
  field.writeUIntBE(value, 2, 6);
  field[0] = 0x01;
  return field;
}

/**
 * The clip grown to exactly `totalBytes` with a Void element (ID 0xEC, which players skip) at the end
 * of its Segment: a large file that still plays, for upload tests. The filler is random, so no part
 * compresses or repeats.
 */
export function padWebm(clip: Buffer, totalBytes: number): Buffer {
  const { head, fillerLength } = webmPadding(clip, totalBytes);
  return Buffer.concat([head, randomBytes(fillerLength)]);
}

/**
 * padWebm in two pieces, for files too large to build in memory: the bytes before the filler (the
 * clip with its Segment grown, and the Void's header), and how many filler bytes must follow them.
 */
export function webmPadding(clip: Buffer, totalBytes: number): { head: Buffer; fillerLength: number } {
  if (clip.readUInt32BE(0) !== EBML_ID) throw new Error("not a WebM file");
  const header = readVint(clip, 4);
  const segmentAt = 4 + header.length + header.value;
  if (clip.readUInt32BE(segmentAt) !== SEGMENT_ID) throw new Error("no Segment after the EBML header");
  const segmentSize = readVint(clip, segmentAt + 4);
  const bodyAt = segmentAt + 4 + segmentSize.length;
  if (bodyAt + segmentSize.value !== clip.length) throw new Error("the Segment does not end the file");
  const body = clip.subarray(bodyAt);
  // The Segment's size is rewritten as 8 bytes; the Void is its ID, an 8-byte size and the filler.
  const fillerLength = totalBytes - (segmentAt + 4 + 8 + body.length + 1 + 8);
  if (fillerLength < 0) throw new Error(`the clip is already ${clip.length} bytes`);
  const head = Buffer.concat([
    clip.subarray(0, segmentAt + 4),
    sizeField(body.length + 1 + 8 + fillerLength),
    body,
    Buffer.from([0xec]),
    sizeField(fillerLength),
  ]);
  if (head.length + fillerLength !== totalBytes)
    throw new Error(`padded to ${head.length + fillerLength} bytes, not ${totalBytes}`);
  return { head, fillerLength };
}

/** A file that starts like an MP4 (a valid "ftyp" box) and is random bytes after it: no browser plays it. */
export function brokenMp4(size: number): Buffer {
  const bytes = randomBytes(size);
  Buffer.from("\u0000\u0000\u0000\u0018ftypmp42\u0000\u0000\u0000\u0000mp42isom", "latin1").copy(bytes, 0);
  return bytes;
}
