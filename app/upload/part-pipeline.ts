import { partRange, type PartPlan } from "../shared/plan";
import type { PartChecksum, PartChecksumAlgorithm } from "../shared/checksum-mode";
import type { SignedParts, UploadView } from "../shared/uploads";
import type { SliceHasher } from "./hash";
import { PartDigests } from "./part-digests";
import type { PartResponse, PartTransport } from "./transport";
import { UrlSigner, type SignedUrl } from "./url-signer";

export interface PartPipelineDeps {
  hasher: SliceHasher;
  transport: PartTransport;
  now: () => number;
  /** One sign call (with the API's retries). */
  signParts: (parts: Array<{ partNumber: number; checksum: PartChecksum }>) => Promise<SignedParts>;
  /** Whether part `n` is done: then it is neither hashed nor signed ahead. */
  isDone: (n: number) => boolean;
  /** Part `n` got a new URL after having had one (for the retry timeline). */
  onResigned?: (n: number, reason: string) => void;
}

/**
 * The data path of a part, from the file to storage: its slice hashed (running ahead of the parts
 * being sent, one slice at a time), a URL signed for it (several parts per call), and the PUT.
 * When each step runs, and what follows a failure, is the uploader's business.
 */
export class PartPipeline {
  readonly plan: PartPlan;
  /** The algorithm of this upload's part checksums. */
  readonly algorithm: PartChecksumAlgorithm;
  readonly digests: PartDigests;
  private readonly signer: UrlSigner;
  /** The parts this round sends, in order. */
  private order: number[] = [];

  constructor(
    private readonly file: File,
    private readonly view: UploadView,
    private readonly deps: PartPipelineDeps,
    /** Digests from an earlier run of the same upload, kept so a resumed run need not hash again. */
    digests?: PartDigests,
  ) {
    this.plan = { fileSize: view.size, partSize: view.partSize, partCount: view.partCount };
    const algorithm = (this.algorithm = view.checksumMode.algorithm);
    this.digests = digests ?? new PartDigests(file, this.plan, (blob) => deps.hasher(blob, algorithm));
    this.signer = new UrlSigner({
      ttlSeconds: view.urlTtlSeconds,
      now: deps.now,
      sign: (parts) => deps.signParts(parts.map((n) => ({ partNumber: n, checksum: this.checksumOf(n) }))),
      candidates: () => this.upcoming((n) => this.digests.has(n)),
      onResigned: deps.onResigned,
    });
  }

  /** Starts a round: the parts it sends, in order; hashing and signing look ahead along them. */
  startRound(order: number[]): void {
    this.order = order;
  }

  /** Part `n`'s checksum, computed already, as the API carries it. */
  checksumOf(n: number): PartChecksum {
    return { algorithm: this.algorithm, value: this.digests.get(n)! };
  }

  /** Part `n`'s checksum (hashing it if need be); then the next parts are hashed in the background. */
  async checksum(n: number): Promise<PartChecksum> {
    await this.digests.digest(n);
    const checksum = this.checksumOf(n);
    this.digests.hashAhead(
      this.upcoming((m) => m > n),
      this.view.concurrency * 2,
    );
    return checksum;
  }

  urlFor(n: number): Promise<SignedUrl> {
    return this.signer.urlFor(n);
  }

  /** PUTs part `n`'s slice to its URL; the browser streams it from disk. */
  put(n: number, signed: SignedUrl, signal: AbortSignal, onProgress: (sent: number) => void): Promise<PartResponse> {
    const range = partRange(this.plan, n);
    return this.deps.transport({
      url: signed.url,
      headers: signed.headers,
      body: this.file.slice(range.start, range.end),
      stallTimeoutMs: this.view.stallTimeoutMs,
      signal,
      onProgress,
    });
  }

  /** Storage refused an attempt at part `n`: the next one signs again, and hashes again if `rehash`. */
  forget(n: number, { resign, rehash, reason }: { resign: boolean; rehash: boolean; reason: string }): void {
    if (resign) this.signer.forget(n, `after: ${reason}`);
    if (rehash) this.digests.forget(n);
  }

  /** This round's parts not done yet that pass `filter`, in order. */
  private *upcoming(filter: (n: number) => boolean): Generator<number> {
    for (const n of this.order) if (!this.deps.isDone(n) && filter(n)) yield n;
  }
}
