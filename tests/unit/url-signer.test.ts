import { describe, expect, it } from "vitest";
import type { SignedParts } from "~/shared/uploads";
import { SIGN_BATCH, UrlSigner, expiryMarginMs } from "~/upload/url-signer";
import { ManualClock, settled } from "../support/manual-clock.js";

interface Harness {
  clock: ManualClock;
  signer: UrlSigner;
  calls: number[][];
  /** Parts that may join a batch, as the uploader would offer them. */
  candidates: number[];
  /** Each sign call waits for the test when set. */
  gate?: Promise<void>;
  fail?: Error;
  /** What the server says about expiry, relative to now (ms). */
  serverTtlMs?: number;
}

function harness(ttlSeconds = 900, onResigned?: (n: number, reason: string) => void): Harness {
  const clock = new ManualClock();
  const h: Harness = { clock, calls: [], candidates: [], signer: undefined as unknown as UrlSigner };
  h.signer = new UrlSigner({
    ttlSeconds,
    now: () => clock.now(),
    candidates: () => h.candidates,
    onResigned,
    sign: async (parts): Promise<SignedParts> => {
      h.calls.push(parts);
      const signedAt = clock.now();
      await h.gate;
      if (h.fail) throw h.fail;
      return {
        expiresAt: new Date(signedAt + (h.serverTtlMs ?? ttlSeconds * 1000)).toISOString(),
        parts: parts.map((n) => ({ partNumber: n, size: 1, url: `https://s3/part/${n}?at=${signedAt}`, headers: {} })),
      };
    },
  });
  return h;
}

describe("URL signer", () => {
  it("signs the part asked for together with the waiting parts, in one call", async () => {
    const h = harness();
    h.candidates = [1, 2, 3, 4];
    const url = await h.signer.urlFor(2);
    expect(url.url).toMatch(/part\/2\?/);
    expect(h.calls).toEqual([[2, 1, 3, 4]]);
    await h.signer.urlFor(4);
    expect(h.calls).toHaveLength(1);
  });

  it(`signs at most ${SIGN_BATCH} parts per call`, async () => {
    const h = harness();
    h.candidates = Array.from({ length: 250 }, (_, i) => i + 1);
    await h.signer.urlFor(1);
    await h.signer.urlFor(101);
    expect(h.calls.map((c) => c.length)).toEqual([SIGN_BATCH, SIGN_BATCH]);
    expect(h.calls[1]![0]).toBe(101);
    expect(h.calls[1]).not.toContain(100);
  });

  it("reuses a URL until shortly before it expires, then signs it again", async () => {
    const h = harness(900);
    const first = await h.signer.urlFor(1);
    await h.clock.advance(900_000 - 30_001);
    expect(await h.signer.urlFor(1)).toBe(first);
    await h.clock.advance(1);
    const second = await h.signer.urlFor(1);
    expect(second).not.toBe(first);
    expect(h.calls).toEqual([[1], [1]]);
  });

  it("keeps a margin of a quarter of the lifetime, at most 30 s", () => {
    expect(expiryMarginMs(900)).toBe(30_000);
    expect(expiryMarginMs(60)).toBe(15_000);
  });

  it("does not trust a server clock ahead of ours", async () => {
    const h = harness(60);
    h.serverTtlMs = 3_600_000;
    const first = await h.signer.urlFor(1);
    expect(first.expiresAt).toBe(h.clock.now() + 60_000);
    await h.clock.advance(45_000);
    expect(await h.signer.urlFor(1)).not.toBe(first);
  });

  it("leaves fresh URLs and parts already being signed out of a new batch", async () => {
    const h = harness();
    h.candidates = [1, 2, 3];
    let open!: () => void;
    h.gate = new Promise<void>((resolve) => (open = resolve));
    const one = h.signer.urlFor(1);
    await settled();
    h.candidates = [1, 2, 3, 4, 5];
    // Part 2 is in the call under way: asking for it waits for that call instead of signing again.
    const two = h.signer.urlFor(2);
    await settled();
    expect(h.calls).toEqual([[1, 2, 3]]);
    open();
    await Promise.all([one, two]);
    h.gate = undefined;
    await h.signer.urlFor(5);
    expect(h.calls).toEqual([
      [1, 2, 3],
      [5, 4],
    ]);
  });

  it("passes a failed sign call on, and tries again on the next request", async () => {
    const h = harness();
    h.candidates = [1, 2];
    h.fail = new Error("refused");
    await expect(h.signer.urlFor(1)).rejects.toThrow("refused");
    h.fail = undefined;
    await h.signer.urlFor(2);
    expect(h.calls).toEqual([
      [1, 2],
      [2, 1],
    ]);
  });

  it("signs a forgotten URL again, and tells why", async () => {
    const resigned: Array<[number, string]> = [];
    const h = harness(900, (n, reason) => resigned.push([n, reason]));
    await h.signer.urlFor(1);
    expect(resigned).toEqual([]);
    h.signer.forget(1, "after: upload link refused");
    await h.signer.urlFor(1);
    expect(h.calls).toEqual([[1], [1]]);
    expect(resigned).toEqual([[1, "after: upload link refused"]]);
  });
});
