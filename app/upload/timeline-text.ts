/**
 * The retry timeline in words, one row per entry, for the details view (which only renders the rows).
 * Pure: times are formatted from the entry, in the browser's time zone.
 */
import { formatBytes } from "../shared/format";
import { entryTime, type TimelineEntry } from "./attempt-log";

export interface TimelineRow {
  /** Clock time, to the tenth of a second: 14:03:07.4 */
  time: string;
  /** Which part (or API call) the row is about. */
  subject: string;
  text: string;
  tone: "ok" | "failed" | "wait" | "info";
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

export function clockTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${Math.floor(d.getMilliseconds() / 100)}`;
}

/** 0.4 s, 12 s, 2 min 5 s: short, and never "0 s" for a real wait. */
export function shortDuration(ms: number): string {
  if (ms < 10_000) return `${(Math.max(ms, 0) / 1000).toFixed(1)} s`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

const NEXT: Record<"retry" | "wait" | "fatal", string> = {
  retry: "tries again",
  wait: "upload waits",
  fatal: "upload failed",
};

const WHY: Record<"backoff" | "waiting" | "held", string> = {
  backoff: "backoff",
  waiting: "waiting for storage or the app to recover",
  held: "offline, paused or signed out",
};

export function timelineRow(entry: TimelineEntry): TimelineRow {
  const time = clockTime(entryTime(entry));
  switch (entry.kind) {
    case "attempt": {
      const subject = `Part ${entry.part}`;
      const head = `attempt ${entry.attempt}`;
      const took = shortDuration(entry.durationMs);
      if (entry.outcome === "stored")
        return { time, subject, text: `${head} stored ${formatBytes(entry.sentBytes)} in ${took}`, tone: "ok" };
      const sent = `${formatBytes(entry.sentBytes)} sent`;
      if (entry.outcome === "interrupted")
        return { time, subject, text: `${head} interrupted after ${took} (${sent})`, tone: "info" };
      const next = entry.next ? ` → ${NEXT[entry.next]}` : "";
      return { time, subject, text: `${head} failed after ${took} (${sent}): ${entry.reason}${next}`, tone: "failed" };
    }
    case "call":
      return {
        time,
        subject: `${entry.call[0]!.toUpperCase()}${entry.call.slice(1)} call`,
        text: `attempt ${entry.attempt} failed after ${shortDuration(entry.durationMs)}: ${entry.reason} → ${NEXT[entry.next]}`,
        tone: "failed",
      };
    case "wait":
      return {
        time,
        subject: entry.part === null ? "Upload" : `Part ${entry.part}`,
        text: `waited ${shortDuration(entry.durationMs)} (${WHY[entry.why]})`,
        tone: "wait",
      };
    case "resign":
      return { time, subject: `Part ${entry.part}`, text: `new upload link (${entry.reason})`, tone: "info" };
  }
}

/** The timeline's counts in one line: "14 attempts (3 failed, 1 interrupted) · 2 new links · 1 failed call". */
export function timelineCounts(entries: readonly TimelineEntry[]): string {
  const attempts = entries.filter((e) => e.kind === "attempt");
  const failed = attempts.filter((e) => e.outcome === "failed").length;
  const interrupted = attempts.filter((e) => e.outcome === "interrupted").length;
  const resigns = entries.filter((e) => e.kind === "resign").length;
  const calls = entries.filter((e) => e.kind === "call").length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const notes = [failed ? `${failed} failed` : "", interrupted ? `${interrupted} interrupted` : ""].filter(Boolean);
  return [
    `${plural(attempts.length, "attempt")}${notes.length ? ` (${notes.join(", ")})` : ""}`,
    resigns ? plural(resigns, "new link") : "",
    calls ? plural(calls, "failed call") : "",
  ]
    .filter(Boolean)
    .join(" · ");
}
