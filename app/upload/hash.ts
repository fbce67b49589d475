import type { ChecksumMode, PartChecksumAlgorithm } from "../shared/checksum-mode";
import { fullObjectCrc } from "../shared/crc/combine";
import { Crc } from "../shared/crc/crc";

/** Computes one slice's checksum (base64) in `algorithm`: only that slice is read, once. */
export type SliceHasher = (blob: Blob, algorithm: PartChecksumAlgorithm) => Promise<string>;

/** How much of a slice is read at a time into the one reused buffer. */
export const READ_CHUNK_BYTES = 1024 * 1024;

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 1) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
}

function fromBase64(value: string): Uint8Array {
  return Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
}

/**
 * Feeds a slice's bytes to `consume` through a BYOB reader into one reused buffer, so reading a part
 * maps no fresh memory (a whole-slice arrayBuffer() costs thousands of page faults per 8 MiB). Where a
 * browser has no BYOB reader for blobs, the default reader's chunks are used.
 */
export async function readSlice(blob: Blob, consume: (chunk: Uint8Array) => void, buffer?: ArrayBuffer) {
  const stream = blob.stream();
  let reader: ReadableStreamBYOBReader | undefined;
  try {
    reader = stream.getReader({ mode: "byob" });
  } catch {
    reader = undefined;
  }
  if (!reader) {
    const chunks = stream.getReader();
    for (let next = await chunks.read(); !next.done; next = await chunks.read()) consume(next.value);
    return buffer;
  }
  let memory = buffer ?? new ArrayBuffer(READ_CHUNK_BYTES);
  for (;;) {
    const { value, done } = await reader.read(new Uint8Array(memory));
    if (value) memory = value.buffer as ArrayBuffer;
    if (done) return memory;
    consume(value);
  }
}

/**
 * The checksum of a slice on this thread: CRCs stream through the WASM CRC (or its JS fallback),
 * SHA-256 goes through Web Crypto, which needs the slice whole.
 */
export const mainThreadHasher: SliceHasher = async (blob, algorithm) => {
  if (algorithm === "SHA256")
    return toBase64(new Uint8Array(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer())));
  const crc = new Crc(algorithm);
  await readSlice(blob, (chunk) => crc.update(chunk));
  return crc.base64();
};

/**
 * The object's checksum storage should report for these parts (in order), as S3 makes it: for
 * FULL_OBJECT the CRC of all the bytes, combined from the parts' CRCs and sizes; for COMPOSITE the
 * checksum of the concatenated part digests, then "-<parts>".
 */
export async function expectedObjectChecksum(
  mode: ChecksumMode,
  parts: ReadonlyArray<{ checksum: string; size: number }>,
): Promise<string | undefined> {
  if (mode.type === "FULL_OBJECT") {
    return mode.algorithm === "SHA256" ? undefined : fullObjectCrc(mode.algorithm, parts);
  }
  const digests = parts.map((p) => fromBase64(p.checksum));
  const joined = new Uint8Array(digests.reduce((sum, d) => sum + d.length, 0));
  digests.reduce((offset, d) => (joined.set(d, offset), offset + d.length), 0);
  const digest =
    mode.algorithm === "SHA256"
      ? toBase64(new Uint8Array(await crypto.subtle.digest("SHA-256", joined)))
      : new Crc(mode.algorithm).update(joined).base64();
  return `${digest}-${parts.length}`;
}

/** Identifies a file across reloads: the same file chosen again has the same fingerprint. */
export function fileFingerprint(file: Pick<File, "name" | "size" | "lastModified" | "type">): string {
  return JSON.stringify([file.name, file.size, file.lastModified, file.type]);
}

/** Whether `file` is the one an upload was started from (as far as the browser can tell without reading it). */
export function isSameFile(file: Pick<File, "name" | "size" | "lastModified" | "type">, fingerprint: string): boolean {
  return fileFingerprint(file) === fingerprint;
}
