import { SNIFF_BYTES, matchesContentType } from "../shared/file-type";
import { formatBytes } from "../shared/format";

/** Content type → largest size, as the server allows (handed to the page by its loader). */
export type AllowedTypes = Record<string, number>;

const LABELS: Record<string, string> = {
  "image/jpeg": "JPEG",
  "image/png": "PNG",
  "image/webp": "WebP",
  "image/gif": "GIF",
  "video/mp4": "MP4",
  "video/webm": "WebM",
  "video/quicktime": "MOV",
};

export function describeAllowedTypes(allowed: AllowedTypes): string {
  return (["image", "video"] as const)
    .flatMap((kind) => {
      const entries = Object.entries(allowed).filter(([type]) => type.startsWith(`${kind}/`));
      if (entries.length === 0) return [];
      const names = entries.map(([type]) => LABELS[type] ?? type).join(", ");
      return [`${names} ${kind}s up to ${formatBytes(Math.max(...entries.map(([, size]) => size)))}`];
    })
    .join("; ");
}

/** A friendly reason why this file cannot be uploaded, or null when it can. */
export function checkFile(file: Pick<File, "type" | "size" | "name">, allowed: AllowedTypes): string | null {
  const max = allowed[file.type];
  if (max === undefined)
    return `“${file.name}” is not a supported file. You can share ${describeAllowedTypes(allowed)}.`;
  if (file.size === 0) return `“${file.name}” is empty.`;
  if (file.size > max)
    return `“${file.name}” is ${formatBytes(file.size)}; ${LABELS[file.type] ?? file.type} files can be up to ${formatBytes(max)}.`;
  return null;
}

/**
 * A friendly reason why the file's first bytes are not what its type claims (an `.exe` renamed `.mp4`),
 * or null when they match. Pure: the caller reads the bytes (`readFileHead`).
 */
export function contentProblem(file: Pick<File, "type" | "name">, head: Uint8Array): string | null {
  if (matchesContentType(file.type, head)) return null;
  const kind = file.type.startsWith("video/") ? "video" : "photo";
  return `“${file.name}” is named as ${LABELS[file.type] ?? file.type} but its content is another kind of file, so it cannot be shared. Choose the ${kind} itself.`;
}

/** The first bytes of `file`, as many as the type check needs. */
export async function readFileHead(file: Blob): Promise<Uint8Array> {
  return new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
}

/** Checks the file's first bytes against its declared type before any byte is uploaded. */
export async function checkFileContent(file: File): Promise<string | null> {
  return contentProblem(file, await readFileHead(file));
}
