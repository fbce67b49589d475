import { spawn } from "node:child_process";
import { pathToFileURL } from "node:url";
import { expect, test } from "./fixtures.js";

/** Runs `npm run tune` (the script itself, with its own app on embedded defaults) and waits for it. */
function tune(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/tune.ts", ...args], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stdout, stderr })));
}

test.describe("npm run tune", () => {
  test("runs a small grid and writes a report that renders its charts in Chromium", async ({
    page,
    videoFile,
  }, testInfo) => {
    test.setTimeout(600_000);
    const file = videoFile(16);
    const report = testInfo.outputPath("tune-report.html");
    const result = await tune([
      "--file",
      file.path,
      "--part-sizes",
      "5,8",
      "--concurrency",
      "1,2",
      "--runs",
      "1",
      "--out",
      report,
    ]);
    expect(result.code, result.stderr).toBe(0);
    // The progress bar (one line per step when not on a terminal) went all the way.
    expect(result.stderr).toMatch(/\[#{30}\] 4\/4 .*finished in \d+ s/);
    const line = result.stdout.match(/on this link: (5|8) MiB × (1|2)/)?.[0];
    expect(line, result.stdout).toBeDefined();

    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(pathToFileURL(report).href);
    await expect(page.locator("body")).toHaveAttribute("data-charts", "ready");
    await expect(page.locator("#recommendation")).toContainText(line!);
    for (const id of ["throughput-heatmap", "cpu-heatmap", "throughput-lines"]) {
      const size = await page.locator(`#${id} canvas`).first().boundingBox();
      expect(size?.width, id).toBeGreaterThan(300);
    }
    // Every cell of the 2 × 2 grid was measured and drawn in the heat map.
    const heatmapCells = await page.evaluate(() => {
      const chart = (
        window as unknown as { echarts: { getInstanceByDom(el: Element): { getOption(): unknown } } }
      ).echarts.getInstanceByDom(document.getElementById("throughput-heatmap")!);
      const option = chart.getOption() as { series: Array<{ data: Array<[number, number, number | null]> }> };
      return option.series[0]!.data;
    });
    expect(heatmapCells).toHaveLength(4);
    for (const [, , throughput] of heatmapCells) expect(throughput).toBeGreaterThan(0);
    await expect(page.locator("#cells tbody tr")).toHaveCount(4);
    await expect(page.locator("#cells tbody td:last-child")).toHaveText(["1/1", "1/1", "1/1", "1/1"]);
    expect(errors).toEqual([]);
    const screenshot = testInfo.outputPath("tune-report.png");
    await page.screenshot({ path: screenshot, fullPage: true });
    await testInfo.attach("tune report", { path: screenshot, contentType: "image/png" });
  });
});
