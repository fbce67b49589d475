import { useState } from "react";
import { inTimeOrder, timelineJson } from "~/upload/attempt-log";
import { timelineCounts, timelineRow, type TimelineRow } from "~/upload/timeline-text";
import type { UploadState } from "~/upload/uploader";

/** Rows shown until "Show all": the latest ones. */
export const TIMELINE_SHOWN = 50;

const TONE: Record<TimelineRow["tone"], string> = {
  ok: "text-emerald-800",
  failed: "text-red-800",
  wait: "text-amber-800",
  info: "text-slate-700",
};

/** Copies the whole timeline as JSON; says whether it worked. */
function CopyJson({ state }: { state: UploadState }) {
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);
  const copy = async () => {
    const { uploadId, fileName, totalBytes } = state;
    try {
      await navigator.clipboard.writeText(timelineJson({ uploadId, fileName, totalBytes }, state.timeline));
      setCopied("yes");
    } catch {
      setCopied("no");
    }
  };
  return (
    <span className="ml-auto flex items-center gap-2">
      <span role="status" className="text-slate-500 empty:hidden">
        {copied === "yes" ? "Copied" : copied === "no" ? "Copying was refused by the browser" : ""}
      </span>
      <button
        type="button"
        onClick={() => void copy()}
        className="rounded border border-slate-300 bg-white px-2 py-0.5 text-slate-700 hover:bg-slate-100"
      >
        Copy as JSON
      </button>
    </span>
  );
}

/** Every attempt, wait, new link and failed call, oldest first: the latest TIMELINE_SHOWN until "Show all". */
export function RetryTimeline({ state }: { state: UploadState }) {
  const [all, setAll] = useState(false);
  const entries = inTimeOrder(state.timeline.entries.slice(0, state.timelineSize));
  if (entries.length === 0) return null;
  const shown = all ? entries : entries.slice(-TIMELINE_SHOWN);
  const first = entries.length - shown.length;
  return (
    <section aria-label="Timeline" className="space-y-1 border-t border-slate-200 pt-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p data-testid="timeline-counts">{timelineCounts(entries)}</p>
        <CopyJson state={state} />
      </div>
      {first > 0 ? (
        <p>
          The latest {shown.length} of {entries.length} entries.{" "}
          <button type="button" onClick={() => setAll(true)} className="font-medium text-indigo-700 underline">
            Show all
          </button>
        </p>
      ) : null}
      <ol className="max-h-64 space-y-0.5 overflow-auto font-mono text-[11px] leading-4" aria-label="Attempts">
        {shown.map((entry, i) => {
          const row = timelineRow(entry);
          return (
            <li
              key={first + i}
              data-kind={entry.kind}
              data-outcome={entry.kind === "attempt" ? entry.outcome : undefined}
              className={`flex gap-2 ${TONE[row.tone]}`}
            >
              <span className="shrink-0 tabular-nums text-slate-500">{row.time}</span>
              <span className="min-w-0 break-words">
                <span className="font-semibold">{row.subject}</span> {row.text}
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
