import type { ChecksumMode } from "../shared/checksum-mode";
import { partRange, type PartPlan } from "../shared/plan";
import type { UploadView } from "../shared/uploads";
import { AttemptLog, type TimelineEntry } from "./attempt-log";
import type { Clock } from "./environment";
import { EmitCoalescer, ProgressMeter, QUIET_MS, sampleOnTimer, type ProgressFigures } from "./progress";

export type UploadPhase =
  | "starting"
  | "uploading"
  | "reconnecting"
  | "offline"
  /** A part (or API call) spent its attempts on a failure time may cure: probing with capped backoff. */
  | "waiting"
  /** The session expired: waiting for the person to sign in again (in another tab). */
  | "signed-out"
  | "paused"
  | "finishing"
  | "done"
  | "failed"
  | "cancelled"
  /** Another tab drives this upload. */
  | "locked";

export type PartPhase = "pending" | "hashing" | "signing" | "uploading" | "stalled" | "retrying" | "failed" | "done";

export interface PartState {
  partNumber: number;
  size: number;
  phase: PartPhase;
  /** Bytes of the current attempt that have left the browser. */
  sentBytes: number;
  attempts: number;
  /** When the current attempt last moved bytes (or began). */
  lastProgressAt?: number;
  /** Why its last attempt failed. */
  failure?: string;
}

/** What a waiting or reconnecting upload waits for, and when it tries again. */
export interface WaitInfo {
  for: "storage" | "app" | "network";
  reason: string;
  /** When the next probe goes out. */
  until: number;
}

/** What another tab that drives this upload last said (phase "locked"). */
export interface ElsewhereInfo {
  phase: UploadPhase;
  percent: number;
  /** That tab no longer drives the upload (paused, failed, closed): this one may continue it. */
  stopped: boolean;
}

export interface UploadState extends ProgressFigures {
  phase: UploadPhase;
  uploadId?: string;
  /** How this upload's bytes are checked (the server's UPLOAD_CHECKSUM when it was created). */
  checksumMode?: ChecksumMode;
  fileName: string;
  totalBytes: number;
  /** Bytes in parts that S3 has and the server recorded. */
  confirmedBytes: number;
  parts: PartState[];
  /** Every attempt, wait, re-sign and failed call of this upload in this page (nothing dropped). */
  timeline: AttemptLog;
  /** The timeline's length: a new entry makes a new state. */
  timelineSize: number;
  /** Parts that were already on the server when this upload (re)started. */
  resumedParts: number;
  wait?: WaitInfo;
  elsewhere?: ElsewhereInfo;
  error?: string;
  /** A failed upload can be tried again (Retry) without choosing the file again. */
  resumable: boolean;
  /** The completed upload (phase "done"). */
  result?: UploadView;
}

/** Phases in which work waits instead of running. */
export const HOLD_PHASES: readonly UploadPhase[] = ["paused", "offline", "reconnecting", "waiting", "signed-out"];

/** Under way: sending, or waiting to send again. */
export function isActivePhase(phase: UploadPhase): boolean {
  return ["uploading", "reconnecting", "offline", "waiting", "signed-out"].includes(phase);
}

/** Running in this tab, so leaving the page would stop it. */
export function isRunningPhase(phase: UploadPhase): boolean {
  return phase === "starting" || phase === "finishing" || isActivePhase(phase);
}

/** What changes to the state may set: the progress figures are always computed, never set. */
export type StateChanges = Partial<Omit<UploadState, keyof ProgressFigures>>;

/**
 * One upload's state as its listeners see it: every change goes through `patch`, which recomputes the
 * progress figures; quiet changes (byte progress) reach listeners coalesced, the rest at once. Work
 * that waits for the phase to change (paused, offline) sleeps on `phaseChange()`.
 */
export class UploadStateStore {
  /** The retry timeline, kept whole; the state refers to it. */
  readonly log = new AttemptLog();
  private state: UploadState;
  private readonly listeners = new Set<(state: UploadState) => void>();
  private changed = deferred();
  private readonly meter: ProgressMeter;
  private readonly emitter: EmitCoalescer;
  /** A sending part with no progress for this long shows as "stalled". */
  private stalledAfterMs = QUIET_MS;

  constructor(
    file: Pick<File, "name" | "size">,
    private readonly clock: Clock,
  ) {
    const now = clock.now();
    this.meter = new ProgressMeter(now);
    const empty = { totalBytes: file.size, confirmedBytes: 0, parts: [] };
    this.state = {
      phase: "starting",
      fileName: file.name,
      ...empty,
      ...this.meter.figures(empty, 0, now),
      timeline: this.log,
      timelineSize: 0,
      resumedParts: 0,
      resumable: false,
    };
    this.emitter = new EmitCoalescer(
      () => this.listeners.forEach((listener) => listener(this.state)),
      () => clock.now(),
    );
  }

  get current(): UploadState {
    return this.state;
  }

  subscribe(listener: (state: UploadState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  patch(changes: StateChanges, options?: { quiet: boolean }): void {
    const next = { ...this.state, ...changes };
    Object.assign(next, this.meter.figures(next, this.state.displayedBytes, this.clock.now()));
    this.state = next;
    if (options?.quiet) this.emitter.soon();
    else this.emitter.immediately();
  }

  /** Sets the phase and wakes whoever waits for it to change; leaving a wait restarts the speed. */
  setPhase(phase: UploadPhase, changes: StateChanges = {}): void {
    const previous = this.state.phase;
    if (previous === phase) return void (Object.keys(changes).length > 0 && this.patch(changes));
    if (HOLD_PHASES.includes(previous) && phase === "uploading")
      this.meter.restart(this.clock.now(), this.state.confirmedBytes);
    const leavesWait = !["waiting", "reconnecting"].includes(phase);
    this.patch({ phase, ...(leavesWait ? { wait: undefined } : {}), ...changes });
    const waiters = this.changed;
    this.changed = deferred();
    waiters.resolve();
  }

  /** Resolves when the phase next changes through `setPhase`. */
  phaseChange(): Promise<void> {
    return this.changed.promise;
  }

  /** Refreshes the figures on a timer while the upload is under way; returns the function that stops it. */
  sampleWhileActive(): () => void {
    return sampleOnTimer(() => {
      if (isActivePhase(this.state.phase)) this.markStalledParts();
    });
  }

  /**
   * The parts as the upload (re)starts: those already on the server count as done (and confirmed).
   * A part quiet for `stalledAfterMs` shows as stalled (until it moves, or the stall timeout cuts it).
   */
  startParts(plan: PartPlan, completed: Set<number>, stalledAfterMs = QUIET_MS): void {
    this.stalledAfterMs = stalledAfterMs;
    const parts: PartState[] = [];
    for (let n = 1; n <= plan.partCount; n += 1) {
      const { size } = partRange(plan, n);
      parts.push({ partNumber: n, size, phase: completed.has(n) ? "done" : "pending", sentBytes: 0, attempts: 0 });
    }
    const confirmed = parts.filter((p) => p.phase === "done").reduce((sum, p) => sum + p.size, 0);
    this.meter.restart(this.clock.now(), confirmed);
    this.patch({ parts, confirmedBytes: confirmed, resumedParts: completed.size });
  }

  updatePart(n: number, changes: Partial<PartState>, options?: { quiet: boolean }): void {
    const parts = this.state.parts.slice();
    parts[n - 1] = { ...parts[n - 1]!, ...changes };
    this.patch({ parts }, options);
  }

  /** Part `n`'s attempt `attempt` starts sending. */
  partSending(n: number, attempt: number): void {
    this.updatePart(n, { phase: "uploading", sentBytes: 0, attempts: attempt, lastProgressAt: this.clock.now() });
  }

  /** Byte progress of part `n`'s current attempt. */
  partProgress(n: number, sent: number): void {
    const part = this.state.parts[n - 1]!;
    const now = this.clock.now();
    this.meter.countSent(part.sentBytes, sent, now);
    const moved = sent > part.sentBytes;
    const changes: Partial<PartState> = { sentBytes: Math.min(sent, part.size) };
    if (moved)
      Object.assign(changes, { lastProgressAt: now, ...(part.phase === "stalled" ? { phase: "uploading" } : {}) });
    this.updatePart(n, changes, { quiet: part.phase !== "stalled" || !moved });
  }

  /** Part `n`'s attempt failed: it retries (or waits), or, when `fatal`, it is the part that failed. */
  partFailed(n: number, reason: string, fatal = false): void {
    this.updatePart(n, { phase: fatal ? "failed" : "retrying", sentBytes: 0, failure: reason });
  }

  partDone(n: number): void {
    const part = this.state.parts[n - 1]!;
    this.updatePart(n, { phase: "done", sentBytes: 0, failure: undefined });
    this.patch({ confirmedBytes: this.state.confirmedBytes + part.size });
  }

  /** Part `n` is to be sent again: if it counted as done, it no longer does. */
  requeue(n: number): void {
    const part = this.state.parts[n - 1]!;
    if (part.phase === "done") {
      this.updatePart(n, { phase: "pending", sentBytes: 0 });
      this.patch({ confirmedBytes: this.state.confirmedBytes - part.size });
    }
  }

  /** Parts whose attempt ended without finishing (the run stopped) go back to waiting their turn. */
  settleUnfinishedParts(): void {
    const unfinished = (p: PartState) => !["done", "failed", "pending"].includes(p.phase);
    if (!this.state.parts.some(unfinished)) return;
    this.patch({ parts: this.state.parts.map((p) => (unfinished(p) ? { ...p, phase: "pending", sentBytes: 0 } : p)) });
  }

  /** Adds an entry to the retry timeline. */
  logEntry(entry: TimelineEntry): void {
    this.log.add(entry);
    this.patch({ timelineSize: this.log.size }, { quiet: entry.kind === "wait" });
  }

  /** Sending parts that moved no byte for a while show as "stalled" (until progress or the stall timeout). */
  private markStalledParts(): void {
    const now = this.clock.now();
    const quiet = (p: PartState) => p.phase === "uploading" && now - (p.lastProgressAt ?? now) >= this.stalledAfterMs;
    if (!this.state.parts.some(quiet)) return this.patch({}, { quiet: true });
    this.patch({ parts: this.state.parts.map((p) => (quiet(p) ? { ...p, phase: "stalled" } : p)) }, { quiet: true });
  }
}

/** A promise with its resolver, to wake waiters when the phase changes. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
