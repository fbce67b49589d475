/** The effective settings in words, for the start banner: what the app will actually do. */
import { S3_LIMITS } from "../../app/shared/plan.js";
import type { AppConfig, UploadSettings } from "./app-config.js";
import { formatBytes, formatDurationSetting as d } from "./units.js";

/** "image/jpeg, image/png up to 25 MiB; video/mp4 up to 10 GiB": types grouped by their largest size. */
function describeTypes(allowed: Record<string, number>): string {
  const bySize = new Map<number, string[]>();
  for (const [type, max] of Object.entries(allowed)) bySize.set(max, [...(bySize.get(max) ?? []), type]);
  return [...bySize]
    .sort(([a], [b]) => a - b)
    .map(([max, types]) => `${types.join(", ")} up to ${formatBytes(max)}`)
    .join("; ");
}

export function describeUploadSettings(uploads: UploadSettings): Array<[label: string, text: string]> {
  const grownAbove = formatBytes(uploads.partSize * S3_LIMITS.maxParts);
  const { retry } = uploads;
  return [
    [
      "uploads",
      `${formatBytes(uploads.partSize)} parts (larger for files over ${grownAbove}: S3 allows 10,000 parts), ` +
        `${uploads.concurrency} at once per browser, part URLs valid ${d(uploads.urlTtlSeconds * 1000)}`,
    ],
    [
      "retry",
      `${retry.attempts} attempts per part, backoff from ${d(retry.baseMs)} up to ${d(retry.capMs)}; ` +
        `a part with no progress for ${d(uploads.stallTimeoutMs)} is cut and retried`,
    ],
    [
      "limits",
      `${formatBytes(uploads.quotaBytes)} of unfinished uploads per person, aborted after ${d(uploads.abandonAfterMs)} ` +
        `without activity (swept every ${d(uploads.sweepIntervalMs)})`,
    ],
    ["types", describeTypes(uploads.allowedTypes)],
  ];
}

export function describeMetrics(config: Pick<AppConfig, "metrics" | "appUrl">): string {
  const { metrics } = config;
  const where =
    metrics.port === undefined ? `${config.appUrl}/metrics` : `http://${metrics.host}:${metrics.port}/metrics only`;
  return `${where}, ${metrics.token ? "Bearer token required" : "no token (set METRICS_TOKEN to require one)"}`;
}
