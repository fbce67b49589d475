import type { Storage } from "../storage/s3.js";
import { readObjectStart } from "../storage/objects.js";
import { SNIFF_BYTES, matchesContentType } from "../../app/shared/file-type.js";
import { imageDimensions, isCheckedImage } from "./image-header.js";

/** Images: the first read, which holds almost every header; then one larger read, and no further. */
const IMAGE_FIRST_READ = 64 * 1024;
/** A JPEG's metadata segments (EXIF, ICC profiles, previews) can push its frame header this far in. */
const IMAGE_MAX_READ = 4 * 1024 * 1024;

/**
 * Whether the stored object is what it was declared as: its magic bytes for every type, and for
 * images a header that parses to real dimensions (read with one or two ranged GETs).
 */
export async function contentMatchesType(
  storage: Storage,
  key: string,
  contentType: string,
  size: number,
): Promise<boolean> {
  const image = isCheckedImage(contentType);
  let length = Math.min(size, image ? IMAGE_FIRST_READ : SNIFF_BYTES);
  for (;;) {
    const head = await readObjectStart(storage, key, length);
    if (!matchesContentType(contentType, head)) return false;
    if (!image) return true;
    const header = imageDimensions(contentType, head, length >= size);
    if (header !== "incomplete") return header !== undefined;
    if (length >= Math.min(size, IMAGE_MAX_READ)) return false;
    length = Math.min(size, IMAGE_MAX_READ);
  }
}
