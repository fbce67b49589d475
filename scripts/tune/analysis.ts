/**
 * The tuning report's arithmetic, apart from running uploads: each grid cell's figures from its runs, and
 * the recommendation. Pure, so it is unit-tested.
 */
import { median } from "../bench-support.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** One upload of the file with one part size and concurrency. */
export interface Run {
  partSizeMiB: number;
  concurrency: number;
  /** Whether the upload completed; a failed run has no throughput. */
  completed: boolean;
  seconds: number;
  bytes: number;
  /** CPU seconds of the app (and its local S3 and PostgreSQL) and of Chromium during the upload. */
  appCpuSeconds: number;
  browserCpuSeconds: number;
  /** UploadPart requests the local S3 answered, and the faults it injected into them. */
  partRequests: number;
  faults: number;
}

/** A grid cell: the medians of its completed runs. */
export interface Cell {
  partSizeMiB: number;
  concurrency: number;
  runs: number;
  failedRuns: number;
  /** MiB/s; undefined when no run completed. */
  throughput?: number;
  /** CPU seconds per GiB uploaded, app and browser together, and each. */
  cpuPerGiB?: number;
  appCpuPerGiB?: number;
  browserCpuPerGiB?: number;
  partRequests?: number;
}

export function summarise(runs: Run[], partSizesMiB: number[], concurrencies: number[]): Cell[] {
  return partSizesMiB.flatMap((partSizeMiB) =>
    concurrencies.map((concurrency): Cell => {
      const mine = runs.filter((r) => r.partSizeMiB === partSizeMiB && r.concurrency === concurrency);
      const done = mine.filter((r) => r.completed && r.seconds > 0);
      const cell: Cell = { partSizeMiB, concurrency, runs: mine.length, failedRuns: mine.length - done.length };
      if (done.length === 0) return cell;
      const perGiB = (pick: (r: Run) => number) => median(done.map((r) => pick(r) / (r.bytes / GiB)));
      return {
        ...cell,
        throughput: median(done.map((r) => r.bytes / MiB / r.seconds)),
        cpuPerGiB: perGiB((r) => r.appCpuSeconds + r.browserCpuSeconds),
        appCpuPerGiB: perGiB((r) => r.appCpuSeconds),
        browserCpuPerGiB: perGiB((r) => r.browserCpuSeconds),
        partRequests: median(done.map((r) => r.partRequests)),
      };
    }),
  );
}

export interface Recommendation {
  partSizeMiB: number;
  concurrency: number;
  throughput: number;
  cpuPerGiB: number;
  /** The fastest cell, when the recommendation is another one (close enough and cheaper). */
  fastest?: { partSizeMiB: number; concurrency: number; throughput: number };
  /** "on this link: 16 MiB × 6". */
  line: string;
}

/** Within this fraction of the fastest median, cells count as equally fast: runs vary more than that. */
export const EQUALLY_FAST = 0.05;

/**
 * The cell to configure: among those whose median throughput is within 5% of the fastest, the one using the
 * least CPU per GiB (then fewer parallel requests, then smaller parts: less memory and less to re-send).
 */
export function recommend(cells: Cell[]): Recommendation | undefined {
  const measured = cells.filter(
    (c): c is Cell & { throughput: number; cpuPerGiB: number } =>
      c.throughput !== undefined && c.cpuPerGiB !== undefined && c.failedRuns === 0,
  );
  if (measured.length === 0) return undefined;
  const fastest = measured.reduce((best, c) => (c.throughput > best.throughput ? c : best));
  const [pick] = measured
    .filter((c) => c.throughput >= fastest.throughput * (1 - EQUALLY_FAST))
    .sort((a, b) => a.cpuPerGiB - b.cpuPerGiB || a.concurrency - b.concurrency || a.partSizeMiB - b.partSizeMiB);
  const chosen = pick!;
  return {
    partSizeMiB: chosen.partSizeMiB,
    concurrency: chosen.concurrency,
    throughput: chosen.throughput,
    cpuPerGiB: chosen.cpuPerGiB,
    ...(chosen === fastest
      ? {}
      : {
          fastest: {
            partSizeMiB: fastest.partSizeMiB,
            concurrency: fastest.concurrency,
            throughput: fastest.throughput,
          },
        }),
    line: `on this link: ${chosen.partSizeMiB} MiB × ${chosen.concurrency}`,
  };
}

/**
 * Whether another round of runs (one per concurrency) of a part size fits its share of the time budget:
 * each part size gets an equal share of what is left when it starts, its first round always runs, and a
 * further round runs only if a round as long as the last one ends within the share.
 */
export function roundFits(spentInShareMs: number, shareMs: number, lastRoundMs: number): boolean {
  return spentInShareMs + lastRoundMs <= shareMs;
}
