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
