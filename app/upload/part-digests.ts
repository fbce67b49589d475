import { partRange, type PartPlan } from "../shared/plan";
import { UploadFailedError } from "./errors";

/**
 * Browsers refuse to read a file that was moved, deleted or changed after it was chosen
 * (NotReadableError, NotFoundError): no retry can help, but choosing it again can.
 */
export function unreadableFileError(fileName: string, error: unknown): unknown {
  if (!(error instanceof DOMException) || !["NotReadableError", "NotFoundError"].includes(error.name)) return error;
  return new UploadFailedError(
    `“${fileName}” can no longer be read: it was moved, changed or deleted since it was chosen. Choose it again to continue.`,
    false,
  );
}

/**
 * Each part's checksum (base64, in the upload's algorithm), computed once. Hashing is serialised, so only one slice is in memory at
 * a time, and can run ahead of the parts being sent so that signing takes several parts in one call.
 */
export class PartDigests {
  private readonly digests = new Map<number, string>();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: Pick<File, "name" | "slice">,
    private readonly plan: PartPlan,
    /** A slice's checksum in the upload's algorithm. */
    private readonly hasher: (blob: Blob) => Promise<string>,
  ) {}

  has(n: number): boolean {
    return this.digests.has(n);
  }

  /** Part `n`'s checksum (base64, the form S3's checksum headers take), if it has been computed. */
  get(n: number): string | undefined {
    return this.digests.get(n);
  }

  /** Forgets part `n`'s digest, so that it is hashed again (storage saw other bytes than we hashed). */
  forget(n: number): void {
    this.digests.delete(n);
  }

  /** Part `n`'s digest, hashing its slice after any hashing already queued. */
  digest(n: number): Promise<string> {
    const known = this.digests.get(n);
    if (known) return Promise.resolve(known);
    const range = partRange(this.plan, n);
    const run = this.chain.then(async () => {
      if (this.digests.has(n)) return;
      try {
        this.digests.set(n, await this.hasher(this.file.slice(range.start, range.end)));
      } catch (error) {
        throw unreadableFileError(this.file.name, error);
      }
    });
    this.chain = run.catch(() => undefined);
    return run.then(() => this.digests.get(n)!);
  }

  /** Queues, in the background, the first `limit` parts of `upcoming` that are not hashed yet. */
  hashAhead(upcoming: Iterable<number>, limit: number): void {
    let queued = 0;
    for (const n of upcoming) {
      if (queued >= limit) break;
      if (this.digests.has(n)) continue;
      queued += 1;
      this.digest(n).catch(() => undefined);
    }
  }
}
