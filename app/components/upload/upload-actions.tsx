import type { UploadState } from "~/upload/uploader";

export interface UploadControls {
  onPause: () => void;
  onResume: () => void;
  onTryNow: () => void;
  onRetry: () => void;
  onContinueHere: () => void;
  /** Cancels a running upload, or discards a failed one (aborted on the server either way). */
  onCancel: () => void;
}

const button = "rounded-lg border border-slate-300 px-3 py-1 text-xs font-medium hover:bg-slate-100";
const primary = "rounded-lg bg-indigo-600 px-3 py-1 text-xs font-semibold text-white hover:bg-indigo-500";
const danger = "rounded-lg px-3 py-1 text-xs font-medium text-red-700 hover:bg-red-50";

/** The buttons an upload offers in its phase. */
export function UploadActions({ state, controls }: { state: UploadState; controls: UploadControls }) {
  const { phase } = state;
  const active = ["uploading", "reconnecting", "offline", "waiting", "signed-out"].includes(phase);
  return (
    <>
      {phase === "waiting" || phase === "reconnecting" ? (
        <button type="button" onClick={controls.onTryNow} className={primary}>
          Try now
        </button>
      ) : null}
      {phase === "signed-out" ? (
        <a href="/login" target="_blank" rel="noopener" className={primary}>
          Sign in again
        </a>
      ) : null}
      {phase === "failed" && state.resumable ? (
        <button type="button" onClick={controls.onRetry} className={primary}>
          Retry
        </button>
      ) : null}
      {phase === "locked" && state.elsewhere?.stopped ? (
        <button type="button" onClick={controls.onContinueHere} className={primary}>
          Continue here
        </button>
      ) : null}
      {active ? (
        <button type="button" onClick={controls.onPause} className={button}>
          Pause
        </button>
      ) : null}
      {phase === "paused" ? (
        <button type="button" onClick={controls.onResume} className={button}>
          Resume
        </button>
      ) : null}
      {phase === "failed" ? (
        <button type="button" onClick={controls.onCancel} className={danger}>
          Discard
        </button>
      ) : active || phase === "paused" || phase === "starting" ? (
        <button type="button" onClick={controls.onCancel} className={danger}>
          Cancel upload
        </button>
      ) : null}
    </>
  );
}
