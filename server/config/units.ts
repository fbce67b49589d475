const BYTE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KIB: 2 ** 10,
  MIB: 2 ** 20,
  GIB: 2 ** 30,
  TIB: 2 ** 40,
};
const DURATION_UNITS: Record<string, number> = { MS: 1, S: 1000, M: 60_000, H: 3_600_000, D: 86_400_000 };

/** "8MiB", "25 MB", "1048576" (bytes) → bytes; undefined when malformed. */
export function parseBytes(text: string): number | undefined {
  const match = text.trim().match(/^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/);
  if (!match) return undefined;
  const unit = BYTE_UNITS[(match[2] || "B").toUpperCase()];
  if (unit === undefined) return undefined;
  const value = Math.round(Number(match[1]) * unit);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** "15m", "24h", "500ms", "900" (seconds) → milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const match = text.trim().match(/^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/);
  if (!match) return undefined;
  const unit = DURATION_UNITS[(match[2] || "S").toUpperCase()];
  return unit === undefined ? undefined : Math.round(Number(match[1]) * unit);
}

export { formatBytes } from "../../app/shared/format.js";

/** Milliseconds as the shortest duration setting that says them: 900000 → "15m", 1500 → "1.5s". */
export function formatDurationSetting(ms: number): string {
  for (const [unit, size] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ] as const) {
    if (ms >= size && Number.isInteger((ms / size) * 10)) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
