import { describe, expect, it } from "vitest";
import { recommend, roundFits, summarise, type Run } from "../../scripts/tune/analysis.js";
import { renderReport } from "../../scripts/tune/report.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** A completed run of a 1 GiB file at `mibPerSecond`, using `cpu` CPU-s in all (a quarter of it the app's). */
const run = (partSizeMiB: number, concurrency: number, mibPerSecond: number, cpu: number, completed = true): Run => ({
  partSizeMiB,
  concurrency,
  completed,
  seconds: 1024 / mibPerSecond,
  bytes: GiB,
  appCpuSeconds: cpu / 4,
  browserCpuSeconds: (cpu * 3) / 4,
  partRequests: 1024 / partSizeMiB,
  faults: 0,
});

describe("the tuning report's figures", () => {
  it("takes each cell's medians over its completed runs", () => {
    const cells = summarise(
      [run(8, 4, 80, 20), run(8, 4, 100, 10), run(8, 4, 60, 30), run(8, 2, 50, 12, false), run(8, 2, 40, 14)],
      [8, 16],
      [2, 4],
    );
    expect(cells.map((c) => [c.partSizeMiB, c.concurrency])).toEqual([
      [8, 2],
      [8, 4],
      [16, 2],
      [16, 4],
    ]);
    expect(cells[1]).toMatchObject({
      runs: 3,
      failedRuns: 0,
      throughput: 80,
      cpuPerGiB: 20,
      appCpuPerGiB: 5,
      browserCpuPerGiB: 15,
    });
    expect(cells[0]).toMatchObject({ runs: 2, failedRuns: 1, throughput: 40 });
    expect(cells[2]).toEqual({ partSizeMiB: 16, concurrency: 2, runs: 0, failedRuns: 0 });
  });

  it("recommends the cheapest cell within 5% of the fastest, and names the fastest when it is another", () => {
    const cells = summarise(
      [run(8, 8, 100, 30), run(16, 4, 96, 18), run(32, 2, 90, 10), run(5, 1, 40, 9)],
      [5, 8, 16, 32],
      [1, 2, 4, 8],
    );
    expect(recommend(cells)).toEqual({
      partSizeMiB: 16,
      concurrency: 4,
      throughput: 96,
      cpuPerGiB: 18,
      fastest: { partSizeMiB: 8, concurrency: 8, throughput: 100 },
      line: "on this link: 16 MiB × 4",
    });
  });

  it("prefers fewer parallel requests, then smaller parts, between equals; skips cells where a run failed", () => {
    const even = summarise([run(16, 6, 50, 10), run(16, 2, 50, 10), run(8, 2, 50, 10)], [8, 16], [2, 6]);
    expect(recommend(even)?.line).toBe("on this link: 8 MiB × 2");
    const failing = summarise([run(8, 2, 90, 10), run(8, 2, 10, 10, false), run(16, 2, 50, 20)], [8, 16], [2]);
    expect(recommend(failing)?.line).toBe("on this link: 16 MiB × 2");
    expect(recommend(summarise([run(8, 2, 90, 10, false)], [8], [2]))).toBeUndefined();
  });

  it("renders a self-contained page with the data, the recommendation and the file name escaped", () => {
    const runs = [run(8, 2, 50, 10), run(16, 2, 60, 12)];
    const cells = summarise(runs, [8, 16], [2]);
    const html = renderReport({
      fileName: "<clip>.mp4",
      fileBytes: GiB,
      link: "unthrottled (loopback)",
      faults: "none",
      machine: "2 cores",
      startedAt: new Date("2026-11-29T10:00:00Z"),
      seconds: 120,
      runsPerCell: 1,
      partSizesMiB: [8, 16],
      concurrencies: [2],
      cells,
      runs,
      recommendation: recommend(cells),
      chartLibrary: "window.echarts = {}; // </script> inside the library",
    });
    expect(html).toContain("&#60;clip&#62;.mp4");
    expect(html).not.toContain("<clip>");
    expect(html).toContain("<strong>on this link: 16 MiB × 2</strong>");
    expect(html).toContain("<code>UPLOAD_PART_SIZE=16MiB</code>");
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    const data = JSON.parse(html.match(/id="tune-data">(.*?)<\/script>/s)![1]!) as {
      cells: unknown[];
      runs: unknown[];
    };
    expect(data.cells).toEqual(JSON.parse(JSON.stringify(cells)));
    expect(data.runs).toHaveLength(2);
  });
});

describe("the tuning budget", () => {
  it("runs another round of a part size only while one as long as the last ends within its share", () => {
    expect(roundFits(60_000, 120_000, 50_000)).toBe(true);
    expect(roundFits(60_000, 120_000, 60_000)).toBe(true);
    expect(roundFits(60_000, 120_000, 61_000)).toBe(false);
    // A share already overrun (an earlier part size took longer) gets no second round.
    expect(roundFits(30_000, -5_000, 1)).toBe(false);
  });
});
