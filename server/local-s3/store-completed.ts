import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { CompletedUpload } from "./records.js";
import { listDir, readJsonFile, writeJsonAtomic } from "./store-files.js";

/** How long a completed upload is remembered for a retried Complete, unless the server is told otherwise. */
export const DEFAULT_COMPLETED_UPLOAD_RETENTION_MS = 60 * 60 * 1000;

/**
 * The multipart uploads of one bucket completed lately, kept on disk for `retentionMs`: S3 answers a
 * CompleteMultipartUpload sent again after it succeeded (a retry after a lost answer) with the same result
 * for a while, rather than NoSuchUpload.
 */
export class CompletedUploads {
  private readonly records = new Map<string, CompletedUpload>();

  private constructor(
    private readonly dir: string,
    private readonly retentionMs: number,
  ) {}

  /** The records in `dir`, dropping those past retention and any that cannot be read. */
  static async load(dir: string, retentionMs: number): Promise<CompletedUploads> {
    const completed = new CompletedUploads(dir, retentionMs);
    await mkdir(dir, { recursive: true });
    for (const file of await listDir(dir)) {
      const record = file.endsWith(".json") ? await readJsonFile<CompletedUpload>(join(dir, file)) : undefined;
      if (record && completed.current(record)) completed.records.set(record.uploadId, record);
      else await rm(join(dir, file), { force: true });
    }
    return completed;
  }

  /** The completion of `uploadId` (for `key`), if it happened within the retention window. */
  find(uploadId: string, key: string): CompletedUpload | undefined {
    const record = this.records.get(uploadId);
    return record && record.key === key && this.current(record) ? record : undefined;
  }

  /** Keeps a completion (on disk first), and forgets those past retention. */
  async remember(record: CompletedUpload): Promise<void> {
    for (const old of this.records.values()) {
      if (this.current(old)) continue;
      this.records.delete(old.uploadId);
      await rm(this.file(old.uploadId), { force: true });
    }
    await writeJsonAtomic(this.file(record.uploadId), record);
    this.records.set(record.uploadId, record);
  }

  private current(record: CompletedUpload): boolean {
    return Date.now() - Date.parse(record.completedAt) < this.retentionMs;
  }

  private file(uploadId: string): string {
    return join(this.dir, `${uploadId}.json`);
  }
}
