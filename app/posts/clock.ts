/**
 * A video's length as players show it: "0:03", "4:05", "1:02:03". Whole seconds, rounded down as
 * Chromium's and Firefox's own controls do, so the badge and the player agree.
 */
export function clockTime(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** The same, read aloud: "3 seconds", "4 minutes 5 seconds" (under a second: "1 second"). */
export function spokenDuration(seconds: number): string {
  const total = Math.max(1, Math.floor(seconds));
  const parts: Array<[number, string]> = [
    [Math.floor(total / 3600), "hour"],
    [Math.floor((total % 3600) / 60), "minute"],
    [total % 60, "second"],
  ];
  const spoken = parts.filter(([n]) => n > 0).map(([n, unit]) => `${n} ${unit}${n === 1 ? "" : "s"}`);
  return spoken.join(" ") || "0 seconds";
}
