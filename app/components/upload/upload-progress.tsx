import { useState } from "react";
import { formatBytes, formatDuration, formatSpeed } from "~/shared/format";
import type { UploadState } from "~/upload/uploader";

const STATUS: Record<UploadState["phase"], string> = {
  starting: "Preparing…",
  uploading: "Uploading",
  reconnecting: "Reconnecting — the connection is unreliable, retrying",
  offline: "Offline — will continue when the connection is back",
  paused: "Paused",
  finishing: "Finishing…",
  done: "Uploaded",
  failed: "Failed",
  cancelled: "Cancelled",
  locked: "Uploading in another tab",
};

export function statusLine(state: UploadState): string {
  if (state.phase === "failed")
    return `Failed: ${state.error ?? "unknown error"}${state.resumable ? " What arrived is kept: try again to continue." : ""}`;
  if (state.phase === "uploading") {
    const retrying = state.parts.filter((p) => p.phase === "retrying").length;
    if (retrying > 0) return `Uploading — retrying ${retrying} part${retrying === 1 ? "" : "s"}`;
    if (state.resumedParts > 0 && state.confirmedBytes < state.totalBytes)
      return `Uploading — continuing where it stopped (${state.resumedParts} part${state.resumedParts === 1 ? "" : "s"} already there)`;
  }
  return STATUS[state.phase];
}

export function UploadProgress({
  state,
  onPause,
  onResume,
  onCancel,
}: {
  state: UploadState;
  onPause: () => void;
  onResume: () => void;
  onCancel: () => void;
}) {
  const [details, setDetails] = useState(false);
  const percent = state.totalBytes > 0 ? Math.floor((state.displayedBytes / state.totalBytes) * 100) : 0;
  const active = ["uploading", "reconnecting", "offline", "starting"].includes(state.phase);
  const tone =
    state.phase === "failed"
      ? "bg-red-500"
      : state.phase === "done"
        ? "bg-emerald-500"
        : ["offline", "reconnecting", "paused"].includes(state.phase)
          ? "bg-amber-500"
          : "bg-indigo-600";
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
        {/* Scaled, not resized: a width transition re-runs layout and paint on every frame of a long
            upload, which costs the CPU the upload itself needs; a transform animates on the compositor. */}
        <div
          className={`h-full w-full origin-left rounded-full transition-transform duration-300 ${tone}`}
          style={{ transform: `scaleX(${percent / 100})` }}
        />
      </div>
      <div className="flex flex-wrap items-center justify-between gap-2 text-xs text-slate-600">
        <span
          data-testid="upload-status"
          role="status"
          className={state.phase === "failed" ? "text-red-700" : undefined}
        >
          {statusLine(state)}
        </span>
        <span className="tabular-nums">
          {formatBytes(state.displayedBytes)} of {formatBytes(state.totalBytes)}
          {state.phase === "uploading" && state.speedBps > 0 ? ` · ${formatSpeed(state.speedBps)}` : ""}
          {state.phase === "uploading" && state.etaSeconds ? ` · ${formatDuration(state.etaSeconds)} left` : ""}
        </span>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        {active ? (
          <button
            type="button"
            onClick={onPause}
            className="rounded-lg border border-slate-300 px-3 py-1 text-xs font-medium hover:bg-slate-100"
          >
            Pause
          </button>
        ) : null}
        {state.phase === "paused" ? (
          <button
            type="button"
            onClick={onResume}
            className="rounded-lg border border-slate-300 px-3 py-1 text-xs font-medium hover:bg-slate-100"
          >
            Resume
          </button>
        ) : null}
        {/* A failed upload has nothing left to cancel: the attachment offers what can work instead. */}
        {!["done", "cancelled", "finishing", "failed"].includes(state.phase) ? (
          <button
            type="button"
            onClick={onCancel}
            className="rounded-lg px-3 py-1 text-xs font-medium text-red-700 hover:bg-red-50"
          >
            Cancel upload
          </button>
        ) : null}
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

function UploadDetails({ state }: { state: UploadState }) {
  const done = state.parts.filter((p) => p.phase === "done").length;
  return (
    <div className="space-y-2 rounded-lg bg-slate-50 p-3 text-xs text-slate-600" data-testid="upload-details">
      <p>
        {done} of {state.parts.length} parts stored
        {state.resumedParts > 0 ? ` (${state.resumedParts} from an earlier attempt)` : ""}.
      </p>
      <div className="flex flex-wrap gap-1" aria-label="Parts">
        {state.parts.map((p) => (
          <span
            key={p.partNumber}
            title={`Part ${p.partNumber}: ${p.phase}`}
            className={`h-2.5 w-2.5 rounded-sm ${p.phase === "done" ? "bg-emerald-500" : p.phase === "uploading" ? "bg-indigo-500" : p.phase === "retrying" ? "bg-amber-500" : "bg-slate-300"}`}
          />
        ))}
      </div>
      {state.retries.length > 0 ? (
        <ul className="max-h-32 space-y-0.5 overflow-auto" aria-label="Retries">
          {state.retries
            .slice(-8)
            .reverse()
            .map((r) => (
              <li key={`${r.partNumber}-${r.attempt}-${r.at}`}>
                part {r.partNumber} failed ({r.reason}), retry {r.attempt}{" "}
                {r.delayMs > 0 ? `in ${formatDuration(r.delayMs / 1000)}` : "now"}
              </li>
            ))}
        </ul>
      ) : null}
    </div>
  );
}
