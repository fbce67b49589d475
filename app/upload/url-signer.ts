import type { SignedParts } from "../shared/uploads";

export interface SignedUrl {
  url: string;
  headers: Record<string, string>;
  expiresAt: number;
}

/** The most parts one sign call asks for. */
export const SIGN_BATCH = 100;

/** A URL is signed again when less than this is left of its life: a quarter of it, at most 30 s. */
export function expiryMarginMs(ttlSeconds: number): number {
  return Math.min(30_000, (ttlSeconds * 1000) / 4);
}

export interface UrlSignerOptions {
  /** How long the server's URLs live. */
  ttlSeconds: number;
  now: () => number;
  /** Signs these parts in one call (with the API's retries). */
  sign: (partNumbers: number[]) => Promise<SignedParts>;
  /** Parts that may join a sign call, in upload order: hashed and not done yet. */
  candidates: () => Iterable<number>;
  /** Part `n` got a new URL after having had one, and why (for the retry timeline). */
  onResigned?: (n: number, reason: string) => void;
}

/**
 * Presigned part URLs, cached until shortly before they expire. Signing happens in batches: the
 * request for one part also signs other parts that are waiting, up to SIGN_BATCH, and a part already
 * being signed is waited for, not signed twice.
 */
export class UrlSigner {
  private readonly urls = new Map<number, SignedUrl>();
  private readonly signing = new Map<number, Promise<void>>();
  /** Parts signed at least once, and why a part's URL was dropped. */
  private readonly signedBefore = new Set<number>();
  private readonly dropped = new Map<number, string>();
  private readonly marginMs: number;

  constructor(private readonly options: UrlSignerOptions) {
    this.marginMs = expiryMarginMs(options.ttlSeconds);
  }

  /** A URL for part `n` that will still be valid when the request starts. */
  async urlFor(n: number): Promise<SignedUrl> {
    for (;;) {
      const current = this.fresh(n);
      if (current) return current;
      const inFlight = this.signing.get(n);
      if (inFlight) {
        await inFlight;
        if (this.fresh(n)) continue;
      }
      await this.signBatch(this.batchFor(n));
    }
  }

  /** Drops part `n`'s URL (storage refused it, or connections to it failed): the next request signs it again. */
  forget(n: number, reason: string): void {
    this.urls.delete(n);
    this.dropped.set(n, reason);
  }

  private fresh(n: number): SignedUrl | undefined {
    const url = this.urls.get(n);
    return url && url.expiresAt - this.options.now() > this.marginMs ? url : undefined;
  }

  private batchFor(n: number): number[] {
    const batch = [n];
    for (const other of this.options.candidates()) {
      if (batch.length >= SIGN_BATCH) break;
      if (other === n || this.signing.has(other) || this.fresh(other)) continue;
      batch.push(other);
    }
    return batch;
  }

  private signBatch(batch: number[]): Promise<void> {
    const request = this.options.sign(batch).then((signed) => {
      // The sooner of the two: a browser clock behind the server's must not make a URL look longer-lived.
      const expiresAt = Math.min(Date.parse(signed.expiresAt), this.options.now() + this.options.ttlSeconds * 1000);
      for (const part of signed.parts) {
        const n = part.partNumber;
        this.urls.set(n, { url: part.url, headers: part.headers, expiresAt });
        if (this.signedBefore.has(n)) this.options.onResigned?.(n, this.dropped.get(n) ?? "link about to expire");
        this.signedBefore.add(n);
        this.dropped.delete(n);
      }
    });
    const settled = request.finally(() => batch.forEach((p) => this.signing.delete(p)));
    const waiting = settled.catch(() => undefined);
    batch.forEach((p) => this.signing.set(p, waiting));
    return settled;
  }
}
