/**
 * The tuning report: one self-contained HTML file (ECharts inlined, no network) with heat maps of throughput
 * and CPU per GiB over part size × concurrency, throughput by concurrency for each part size, every cell's
 * figures and the recommendation.
 */
import type { Cell, Recommendation, Run } from "./analysis.js";

export interface ReportInput {
  fileName: string;
  fileBytes: number;
  /** "40 ms, 50 Mbit/s up" or "unthrottled (loopback)". */
  link: string;
  /** "10% of part uploads reset" or "none". */
  faults: string;
  machine: string;
  startedAt: Date;
  seconds: number;
  runsPerCell: number;
  /** Runs left out to stay within the time budget (cells then have fewer runs; the table says how many). */
  runsLeftOut?: number;
  budgetMinutes?: number;
  partSizesMiB: number[];
  concurrencies: number[];
  cells: Cell[];
  runs: Run[];
  recommendation?: Recommendation;
  /** ECharts' browser build (dist/echarts.min.js), inlined. */
  chartLibrary: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON that is safe inside a <script> element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c");

const fixed = (value: number | undefined, digits = 1) => (value === undefined ? "—" : value.toFixed(digits));

function recommendationHtml(r: Recommendation | undefined): string {
  if (!r) return `<p class="recommendation" id="recommendation">No cell completed every run: no recommendation.</p>`;
  const fastest = r.fastest
    ? ` The fastest cell, ${r.fastest.partSizeMiB} MiB × ${r.fastest.concurrency} at ${r.fastest.throughput.toFixed(1)} MiB/s, is within 5% and costs more CPU.`
    : "";
  return `<p class="recommendation" id="recommendation"><strong>${escapeHtml(r.line)}</strong> — ${r.throughput.toFixed(1)} MiB/s, ${r.cpuPerGiB.toFixed(1)} CPU-s per GiB.${fastest}</p>
<p>Set <code>UPLOAD_PART_SIZE=${r.partSizeMiB}MiB</code> and <code>UPLOAD_CONCURRENCY=${r.concurrency}</code>.</p>`;
}

function cellsTable(cells: Cell[]): string {
  const rows = cells
    .map(
      (c) =>
        `<tr><td>${c.partSizeMiB} MiB</td><td>${c.concurrency}</td><td>${fixed(c.throughput)}</td><td>${fixed(c.cpuPerGiB)}</td>` +
        `<td>${fixed(c.appCpuPerGiB)}</td><td>${fixed(c.browserCpuPerGiB)}</td><td>${fixed(c.partRequests, 0)}</td><td>${c.runs - c.failedRuns}/${c.runs}</td></tr>`,
    )
    .join("\n");
  return `<table id="cells"><thead><tr><th>part size</th><th>concurrency</th><th>MiB/s</th><th>CPU-s/GiB</th><th>app CPU</th><th>browser CPU</th><th>part requests</th><th>completed</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

/** The page's own script: draws the three charts from the embedded data. */
const DRAW = `
const data = JSON.parse(document.getElementById("tune-data").textContent);
const xs = data.concurrencies.map(String);
const ys = data.partSizesMiB.map((s) => s + " MiB");
const at = (c) => [data.concurrencies.indexOf(c.concurrency), data.partSizesMiB.indexOf(c.partSizeMiB)];
const charts = [];
const drawn = [];
/** A chart in the element with this id; drawn (painted, animations done) when its "finished" event comes. */
const chartIn = (id) => {
  const chart = echarts.init(document.getElementById(id), null, { renderer: "canvas" });
  drawn.push(new Promise((resolve) => chart.on("finished", resolve)));
  charts.push(chart);
  return chart;
};
const heatmap = (id, title, pick, unit, lowIsGood) => {
  const values = data.cells.filter((c) => pick(c) != null).map(pick);
  chartIn(id).setOption({
    title: { text: title, left: "center", textStyle: { fontSize: 14 } },
    tooltip: { formatter: (p) => ys[p.value[1]] + " × " + xs[p.value[0]] + ": " + (p.value[2] == null ? "no completed run" : p.value[2].toFixed(1) + " " + unit) },
    grid: { top: 40, bottom: 105, left: 70, right: 20 },
    xAxis: { type: "category", data: xs, name: "concurrency", nameLocation: "middle", nameGap: 25 },
    yAxis: { type: "category", data: ys, name: "part size", nameLocation: "middle", nameGap: 55 },
    visualMap: { min: Math.min(...values), max: Math.max(...values), calculable: true, orient: "horizontal", left: "center", bottom: 0, itemHeight: 120,
      inRange: { color: lowIsGood ? ["#1a9850", "#fee08b", "#d73027"] : ["#d73027", "#fee08b", "#1a9850"] } },
    series: [{ type: "heatmap", data: data.cells.map((c) => [...at(c), pick(c) ?? null]),
      label: { show: true, formatter: (p) => (p.value[2] == null ? "—" : p.value[2].toFixed(1)) } }],
  });
};
heatmap("throughput-heatmap", "Throughput (MiB/s, median)", (c) => c.throughput, "MiB/s", false);
heatmap("cpu-heatmap", "CPU per GiB (app + browser, CPU-s)", (c) => c.cpuPerGiB, "CPU-s/GiB", true);
chartIn("throughput-lines").setOption({
  title: { text: "Throughput (MiB/s) by concurrency, per part size", left: "center", textStyle: { fontSize: 14 } },
  tooltip: { trigger: "axis" },
  legend: { bottom: 0 },
  grid: { top: 45, bottom: 70, left: 55, right: 20 },
  xAxis: { type: "category", data: xs, name: "concurrency", nameLocation: "middle", nameGap: 25 },
  yAxis: { type: "value", name: "MiB/s", nameLocation: "middle", nameGap: 38 },
  series: data.partSizesMiB.map((size) => ({
    name: size + " MiB", type: "line", connectNulls: false,
    data: data.concurrencies.map((c) => data.cells.find((x) => x.partSizeMiB === size && x.concurrency === c)?.throughput ?? null),
  })),
});
window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
// For people nothing waits on this; the report's test does.
Promise.all(drawn).then(() => (document.body.dataset.charts = "ready"));
`;

export function renderReport(input: ReportInput): string {
  const data = {
    partSizesMiB: input.partSizesMiB,
    concurrencies: input.concurrencies,
    cells: input.cells,
    runs: input.runs,
  };
  const size = `${(input.fileBytes / 1024 / 1024).toFixed(0)} MiB`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Feedup upload tuning: ${escapeHtml(input.recommendation?.line ?? "no recommendation")}</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 16px; color: #1f2937; }
  h1 { font-size: 22px; margin: 0 0 4px; }
  .meta { color: #4b5563; margin: 0 0 12px; }
  .recommendation { font-size: 18px; background: #ecfdf5; border: 1px solid #a7f3d0; border-radius: 8px; padding: 10px 14px; }
  .charts { display: grid; grid-template-columns: 1fr; gap: 16px; margin: 16px 0; }
  @media (min-width: 760px) { .charts { grid-template-columns: 1fr 1fr; } }
  .chart { height: 380px; border: 1px solid #e5e7eb; border-radius: 8px; }
  .wide { grid-column: 1 / -1; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { border-bottom: 1px solid #e5e7eb; padding: 4px 8px; text-align: right; white-space: nowrap; }
  th:first-child, td:first-child { text-align: left; }
  .table-wrap { overflow-x: auto; }
  code { background: #f3f4f6; padding: 1px 4px; border-radius: 4px; }
</style>
</head>
<body>
<h1>Upload tuning: part size × concurrency</h1>
<p class="meta">${escapeHtml(input.fileName)} (${size}) through headless Chromium to the app on embedded defaults ·
link: ${escapeHtml(input.link)} · faults: ${escapeHtml(input.faults)} · ${input.runsLeftOut ? `up to ${input.runsPerCell} runs per cell (${input.runsLeftOut} left out to stay within ${input.budgetMinutes} min; see "runs")` : `${input.runsPerCell} run${input.runsPerCell === 1 ? "" : "s"} per cell`} ·
${escapeHtml(input.machine)} · ${input.startedAt.toISOString()} · ${Math.round(input.seconds)} s</p>
${recommendationHtml(input.recommendation)}
<div class="charts">
  <div class="chart" id="throughput-heatmap"></div>
  <div class="chart" id="cpu-heatmap"></div>
  <div class="chart wide" id="throughput-lines"></div>
</div>
<div class="table-wrap">${cellsTable(input.cells)}</div>
<p class="meta">Throughput: the file's size over the time from choosing it to the upload's completion (hashing, signing,
sending, completing), median of the runs. CPU: seconds the app (with its local S3 and PostgreSQL) and Chromium used,
per GiB uploaded. Recommended: among the cells within 5% of the fastest, the one with the least CPU per GiB.</p>
<script>${input.chartLibrary.replace(/<\/script/gi, "<\\/script")}</script>
<script type="application/json" id="tune-data">${scriptJson(data)}</script>
<script>${DRAW}</script>
</body>
</html>
`;
}
