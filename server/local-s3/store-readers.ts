import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { Segment } from "./records.js";

/**
 * Keeps data files on disk while they are read: a file that a write replaced or a delete removed meanwhile
 * goes once its last reader is done, as S3 readers expect.
 */
export class ReadGuard {
  private readonly readers = new Map<string, number>();
  private readonly doomed = new Set<string>();

  /** Streams bytes [start, end] of the `segments` (files in `dir`), holding their files until the stream ends. */
  read(dir: string, segments: Segment[], start: number, end: number): Readable {
    const files = segments.map((s) => s.file);
    for (const file of files) this.readers.set(file, (this.readers.get(file) ?? 0) + 1);
    const release = () => this.release(dir, files);
    async function* bytes() {
      try {
        let offset = 0;
        for (const segment of segments) {
          const from = Math.max(start, offset);
          const to = Math.min(end, offset + segment.size - 1);
          if (from <= to) yield* createReadStream(join(dir, segment.file), { start: from - offset, end: to - offset });
          offset += segment.size;
          if (offset > end) break;
        }
      } finally {
        await release();
      }
    }
    return Readable.from(bytes(), { objectMode: false });
  }

  /** Removes data files no longer referenced, or marks them for removal once their last reader is done. */
  async discard(dir: string, segments: Segment[]): Promise<void> {
    for (const { file } of segments) {
      if (this.readers.has(file)) this.doomed.add(file);
      else await rm(join(dir, file), { force: true });
    }
  }

  private async release(dir: string, files: string[]): Promise<void> {
    for (const file of files) {
      const left = (this.readers.get(file) ?? 1) - 1;
      if (left > 0) {
        this.readers.set(file, left);
        continue;
      }
      this.readers.delete(file);
      if (this.doomed.delete(file)) await rm(join(dir, file), { force: true });
    }
  }
}
