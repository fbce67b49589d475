import type { PartState, UploadState } from "~/upload/uploader";
import { RetryTimeline } from "./retry-timeline";

const SQUARE: Record<PartState["phase"], string> = {
  done: "bg-emerald-500",
  uploading: "bg-indigo-500",
  hashing: "bg-indigo-200",
  signing: "bg-indigo-200",
  stalled: "bg-orange-500 animate-pulse",
  retrying: "bg-amber-400",
  failed: "bg-red-600",
  pending: "bg-slate-300",
};

/** Parts that failed their last attempt, with why: the one that failed the upload, and those retrying. */
function FailingParts({ parts }: { parts: PartState[] }) {
  const failing = parts.filter((p) => p.failure && (p.phase === "failed" || p.phase === "retrying"));
  if (failing.length === 0) return null;
  return (
    <ul aria-label="Failing parts" className="space-y-0.5 text-red-800">
      {failing.map((p) => (
        <li key={p.partNumber} data-testid="failing-part">
          Part {p.partNumber}: {p.failure} — {p.phase === "failed" ? "failed" : "retrying"}
        </li>
      ))}
    </ul>
  );
}

/** Every part as a square, what is failing and why, and the retry timeline. */
export function UploadDetails({ state }: { state: UploadState }) {
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
            data-part={p.partNumber}
            data-phase={p.phase}
            title={`Part ${p.partNumber}: ${p.phase}${p.failure ? ` (${p.failure})` : ""}`}
            className={`h-2.5 w-2.5 rounded-sm ${SQUARE[p.phase]}`}
          />
        ))}
      </div>
      <FailingParts parts={state.parts} />
      <RetryTimeline state={state} />
    </div>
  );
}
