import { formatBytes, formatDuration, formatSpeed } from "../shared/format";
import type { UploadState, WaitInfo } from "./upload-state";

const WAIT_HEADLINES: Record<WaitInfo["for"], string> = {
  storage: "Can't reach storage",
  app: "Can't reach Feedup",
  network: "Reconnecting",
};

const PLAIN: Partial<Record<UploadState["phase"], string>> = {
  starting: "Preparing…",
  offline: "Offline — will continue when the connection is back",
  "signed-out": "Signed out — sign in again to continue",
  paused: "Paused",
  finishing: "Finishing…",
  done: "Uploaded",
  cancelled: "Cancelled",
};

/** Whole seconds until `until`, as of the state's last refresh. */
const secondsUntil = (state: UploadState, until: number) => Math.max(0, Math.ceil((until - state.updatedAt) / 1000));

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function waitHeadline(state: UploadState): string {
  const wait = state.wait;
  if (!wait) return state.phase === "reconnecting" ? "Reconnecting" : WAIT_HEADLINES.storage;
  const seconds = secondsUntil(state, wait.until);
  return `${WAIT_HEADLINES[wait.for]} — ${seconds > 0 ? `trying again in ${formatDuration(seconds)}` : "trying again now"}`;
}

function elsewhereHeadline(state: UploadState): string {
  const other = state.elsewhere;
  if (!other) return "Uploading in another tab";
  if (!other.stopped) return `${other.phase === "paused" ? "Paused" : "Uploading"} in another tab — ${other.percent}%`;
  return other.phase === "paused" ? "Paused in another tab" : "The other tab stopped uploading";
}

function uploadingHeadline(state: UploadState): string {
  const retrying = state.parts.filter((p) => p.phase === "retrying").length;
  if (retrying > 0) return `Uploading — retrying ${plural(retrying, "part")}`;
  if (state.resumedParts > 0 && state.confirmedBytes < state.totalBytes)
    return `Uploading — continuing where it stopped (${plural(state.resumedParts, "part")} already there)`;
  return "Uploading";
}

/** The status line: what the upload is doing, in words. */
export function statusLine(state: UploadState): string {
  switch (state.phase) {
    case "failed":
      return `Failed: ${state.error ?? "unknown error"}`;
    case "waiting":
    case "reconnecting":
      return waitHeadline(state);
    case "locked":
      return elsewhereHeadline(state);
    case "uploading":
      return uploadingHeadline(state);
    default:
      return PLAIN[state.phase] ?? state.phase;
  }
}

/** The part the upload is held up by: the lowest-numbered one under way. */
function partWaitedFor(state: UploadState): number | undefined {
  return state.parts.find((p) => !["done", "pending", "failed"].includes(p.phase))?.partNumber;
}

/** What the upload waits for when nothing moves, or its speed and time left when something does. */
function activity(state: UploadState): string | null {
  switch (state.phase) {
    case "reconnecting":
      return "reconnecting";
    case "waiting":
      return state.wait?.for === "app" ? "waiting for the app" : "waiting for storage";
    case "offline":
      return "waiting for the network";
    case "signed-out":
      return "waiting for sign-in";
    case "uploading":
      break;
    default:
      return null;
  }
  if (!state.moving) {
    const part = partWaitedFor(state);
    return part ? `waiting for part ${part}` : "waiting for storage";
  }
  if (state.speedBps === null) return "measuring speed…";
  const eta = state.etaSeconds === null ? "" : ` · ${formatDuration(state.etaSeconds)} left`;
  return `${formatSpeed(state.speedBps)}${eta}`;
}

/**
 * The figures line: bytes sent of the total, then speed and time left, or what it waits for. While
 * nothing moves it counts only the bytes storage holds: a failed attempt's bytes stay in the bar (it
 * never goes backwards) but must not read as sent.
 */
export function figuresLine(state: UploadState): string {
  const moving = state.phase === "uploading" && state.moving;
  const bytes = moving
    ? `${formatBytes(state.displayedBytes)} of ${formatBytes(state.totalBytes)}`
    : `${formatBytes(state.confirmedBytes)} of ${formatBytes(state.totalBytes)} stored`;
  const doing = activity(state);
  return doing ? `${bytes} · ${doing}` : bytes;
}

/**
 * The whole percent to show: of the bytes sent, but never 100 before the upload is done (storage may
 * still refuse the last bytes sent); another tab's when that tab drives the upload.
 */
export function percentShown(state: UploadState): number {
  if (state.phase === "locked") return state.elsewhere?.percent ?? 0;
  if (state.phase === "done") return 100;
  return state.totalBytes > 0 ? Math.min(99, Math.floor((state.displayedBytes / state.totalBytes) * 100)) : 0;
}
