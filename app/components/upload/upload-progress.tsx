import { useState } from "react";
import { figuresLine, percentShown, statusLine } from "~/upload/status-text";
import type { UploadState } from "~/upload/uploader";
import { UploadActions, type UploadControls } from "./upload-actions";
import { UploadDetails } from "./upload-details";

function barTone(phase: UploadState["phase"]): string {
  if (phase === "failed") return "bg-red-500";
  if (phase === "done") return "bg-emerald-500";
  if (["offline", "reconnecting", "paused", "waiting", "signed-out", "locked"].includes(phase)) return "bg-amber-500";
  return "bg-indigo-600";
}

/** One upload: its progress bar, what it is doing, its controls and (on request) its parts. */
export function UploadProgress({ state, controls }: { state: UploadState; controls: UploadControls }) {
  const [details, setDetails] = useState(false);
  const percent = percentShown(state);
  const tone =
    state.phase === "failed"
      ? "font-medium text-red-700"
      : ["waiting", "signed-out", "reconnecting", "offline"].includes(state.phase)
        ? "font-medium text-amber-800"
        : undefined;
  return (
    <div className="space-y-2" data-testid="upload-progress" data-phase={state.phase}>
      <div className="flex items-center justify-between gap-3 text-sm">
        <span className="truncate font-medium" title={state.fileName}>
          {state.fileName}
        </span>
        <span className="shrink-0 tabular-nums text-slate-600">{percent}%</span>
      </div>
      <div
        role="progressbar"
        aria-label={`Uploading ${state.fileName}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        className="h-2 w-full overflow-hidden rounded-full bg-slate-200"
      >
        {/* Scaled, not resized, and never animated: a transition restarted by every progress update kept
            the compositor drawing frames for the whole upload (1.5 CPU-s per GiB in the browser's GPU
            process); a few steps a second read as smooth progress. */}
        <div
          className={`h-full w-full origin-left rounded-full ${barTone(state.phase)}`}
          style={{ transform: `scaleX(${percent / 100})` }}
        />
      </div>
      <div className="flex flex-wrap items-center justify-between gap-x-3 gap-y-1 text-xs text-slate-600">
        <span data-testid="upload-status" role="status" className={tone}>
          {statusLine(state)}
        </span>
        <span className="tabular-nums" data-testid="upload-figures">
          {state.phase === "locked" ? null : figuresLine(state)}
        </span>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <UploadActions state={state} controls={controls} />
        {state.parts.length > 0 ? (
          <button
            type="button"
            onClick={() => setDetails(!details)}
            aria-expanded={details}
            className="ml-auto text-xs text-slate-500 hover:text-slate-800"
          >
            {details ? "Hide details" : "Details"}
          </button>
        ) : null}
      </div>
      {details ? <UploadDetails state={state} /> : null}
    </div>
  );
}
