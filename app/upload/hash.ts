/** Hashes one slice of a file with Web Crypto: only that slice is ever in memory. */
export type SliceHasher = (blob: Blob) => Promise<Uint8Array>;

export const webCryptoSha256: SliceHasher = async (blob) =>
  new Uint8Array(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer()));

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 1) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
}

/**
 * The composite checksum S3 reports for a multipart object created with SHA-256:
 * base64(SHA-256(concatenated raw part digests)) + "-" + part count.
 */
export async function compositeSha256(partDigestsInOrder: Uint8Array[]): Promise<string> {
  const joined = new Uint8Array(partDigestsInOrder.length * 32);
  partDigestsInOrder.forEach((digest, i) => joined.set(digest, i * 32));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", joined));
  return `${toBase64(digest)}-${partDigestsInOrder.length}`;
}

/** Identifies a file across reloads: the same file chosen again has the same fingerprint. */
export function fileFingerprint(file: Pick<File, "name" | "size" | "lastModified" | "type">): string {
  return JSON.stringify([file.name, file.size, file.lastModified, file.type]);
}

/** Whether `file` is the one an upload was started from (as far as the browser can tell without reading it). */
export function isSameFile(file: Pick<File, "name" | "size" | "lastModified" | "type">, fingerprint: string): boolean {
  return fileFingerprint(file) === fingerprint;
}
