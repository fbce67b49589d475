import { describe, expect, it } from "vitest";
import { buildAppConfig } from "../../server/config/app-config.js";
import { describeMetrics, describeUploadSettings } from "../../server/config/describe.js";
import { parseEnv } from "../../server/config/env.js";
import { formatDurationSetting, parseDuration } from "../../server/config/units.js";

const configFor = (env: Record<string, string>) =>
  buildAppConfig(parseEnv(env), {
    dataDir: "/data",
    databaseUrl: "postgres://x",
    sessionSecret: "s".repeat(32),
    appUrl: "http://localhost:3000",
  });

describe("the start banner's settings", () => {
  it("states the effective upload settings, S3's part limit included", () => {
    const lines = Object.fromEntries(
      describeUploadSettings(
        configFor({
          UPLOAD_PART_SIZE: "16MiB",
          UPLOAD_CONCURRENCY: "6",
          UPLOAD_URL_TTL: "10m",
          UPLOAD_RETRY_ATTEMPTS: "5",
          UPLOAD_STALL_TIMEOUT: "45s",
          UPLOAD_QUOTA: "5GiB",
          UPLOAD_ALLOWED_TYPES: "image/png=10MiB,video/mp4=2GiB,image/jpeg=10MiB",
        }).uploads,
      ),
    );
    expect(lines.uploads).toBe(
      "16 MiB parts (larger for files over 156.3 GiB: S3 allows 10,000 parts), 6 at once per browser, part URLs valid 10m",
    );
    expect(lines.retry).toBe(
      "5 attempts per part, backoff from 1s up to 30s; a part with no progress for 45s is cut and retried",
    );
    expect(lines.limits).toMatch(/^5 GiB of unfinished uploads per person, aborted after 1d without activity/);
    expect(lines.types).toBe("image/png, image/jpeg up to 10 MiB; video/mp4 up to 2 GiB");
  });

  it("says where metrics are and whether they need a token", () => {
    expect(describeMetrics(configFor({}))).toBe(
      "http://localhost:3000/metrics, no token (set METRICS_TOKEN to require one)",
    );
    expect(describeMetrics(configFor({ METRICS_PORT: "9464", METRICS_TOKEN: "t".repeat(16) }))).toBe(
      "http://127.0.0.1:9464/metrics only, Bearer token required",
    );
  });

  it("writes durations the way they are configured, and they parse back", () => {
    for (const [ms, text] of [
      [900_000, "15m"],
      [86_400_000, "1d"],
      [1_500, "1.5s"],
      [250, "250ms"],
      [5_400_000, "1.5h"],
    ] as const) {
      expect(formatDurationSetting(ms)).toBe(text);
      expect(parseDuration(text)).toBe(ms);
    }
  });
});
