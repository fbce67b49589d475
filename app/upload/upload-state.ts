import { partRange, type PartPlan } from "../shared/plan";
import type { UploadView } from "../shared/uploads";
import type { Clock } from "./environment";
import { EmitCoalescer, ProgressMeter, sampleOnTimer, type ProgressFigures } from "./progress";

export type UploadPhase =
  | "starting"
  | "uploading"
  | "reconnecting"
  | "offline"
  | "paused"
  | "finishing"
  | "done"
  | "failed"
  | "cancelled"
  | "locked";

export type PartPhase = "pending" | "hashing" | "signing" | "uploading" | "retrying" | "done";

export interface PartState {
  partNumber: number;
  size: number;
  phase: PartPhase;
  /** Bytes of the current attempt that have left the browser. */
  sentBytes: number;
  attempts: number;
}

export interface RetryEvent {
  partNumber: number;
  attempt: number;
  reason: string;
  delayMs: number;
  at: number;
}

export interface UploadState {
  phase: UploadPhase;
  uploadId?: string;
  fileName: string;
  totalBytes: number;
  /** Bytes in parts that S3 has and the server recorded. */
  confirmedBytes: number;
  /** Bytes of parts being sent right now. */
  inFlightBytes: number;
  /** What the person sees: confirmed plus in flight, never going backwards. */
  displayedBytes: number;
  /** Smoothed bytes per second. */
  speedBps: number;
  etaSeconds: number | null;
  parts: PartState[];
  /** The most recent retries, newest last. */
  retries: RetryEvent[];
  /** Parts that were already on the server when this upload (re)started. */
  resumedParts: number;
  error?: string;
  /** A failed upload can be resumed by choosing the same file again. */
  resumable: boolean;
  /** The completed upload (phase "done"). */
  result?: UploadView;
}

const MAX_RETRY_EVENTS = 50;

/** Under way: sending, or waiting for the connection to come back. */
export function isActivePhase(phase: UploadPhase): boolean {
  return ["uploading", "reconnecting", "offline"].includes(phase);
}

/** What changes to the state may set: the progress figures are always computed, never set. */
export type StateChanges = Partial<Omit<UploadState, keyof ProgressFigures>>;

/**
 * One upload's state as its listeners see it: every change goes through `patch`, which recomputes the
 * progress figures; quiet changes (byte progress) reach listeners coalesced, the rest at once. Work
 * that waits for the phase to change (paused, offline) sleeps on `phaseChange()`.
 */
export class UploadStateStore {
  private state: UploadState;
  private readonly listeners = new Set<(state: UploadState) => void>();
  private changed = deferred();
  private readonly meter: ProgressMeter;
  private readonly emitter: EmitCoalescer;

  constructor(
    file: Pick<File, "name" | "size">,
    private readonly clock: Clock,
  ) {
    this.state = {
      phase: "starting",
      fileName: file.name,
      totalBytes: file.size,
      confirmedBytes: 0,
      inFlightBytes: 0,
      displayedBytes: 0,
      speedBps: 0,
      etaSeconds: null,
      parts: [],
      retries: [],
      resumedParts: 0,
      resumable: false,
    };
    this.meter = new ProgressMeter(clock.now());
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

  /** Sets the phase and wakes whoever waits for it to change. */
  setPhase(phase: UploadPhase): void {
    if (this.state.phase === phase) return;
    this.patch({ phase });
    const previous = this.changed;
    this.changed = deferred();
    previous.resolve();
  }

  /** Resolves when the phase next changes through `setPhase`. */
  phaseChange(): Promise<void> {
    return this.changed.promise;
  }

  /** Samples speed on a timer while the upload is under way; returns the function that stops it. */
  sampleWhileActive(): () => void {
    return sampleOnTimer(() => {
      if (isActivePhase(this.state.phase)) this.patch({}, { quiet: true });
    });
  }

  /** The parts as the upload (re)starts: those already on the server count as done (and confirmed). */
  startParts(plan: PartPlan, completed: Set<number>): void {
    const parts: PartState[] = [];
    for (let n = 1; n <= plan.partCount; n += 1) {
      const { size } = partRange(plan, n);
      parts.push({ partNumber: n, size, phase: completed.has(n) ? "done" : "pending", sentBytes: 0, attempts: 0 });
    }
    const confirmed = parts.filter((p) => p.phase === "done").reduce((sum, p) => sum + p.size, 0);
    this.patch({ parts, confirmedBytes: confirmed, resumedParts: completed.size });
    this.meter.restart(this.clock.now());
  }

  updatePart(n: number, changes: Partial<PartState>, options?: { quiet: boolean }): void {
    const parts = this.state.parts.slice();
    parts[n - 1] = { ...parts[n - 1]!, ...changes };
    this.patch({ parts }, options);
  }

  /** Byte progress of part `n`'s current attempt. */
  partProgress(n: number, sent: number): void {
    const part = this.state.parts[n - 1]!;
    this.meter.countSent(part.sentBytes, sent);
    this.updatePart(n, { sentBytes: Math.min(sent, part.size) }, { quiet: true });
  }

  partDone(n: number): void {
    const part = this.state.parts[n - 1]!;
    this.updatePart(n, { phase: "done", sentBytes: 0 });
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

  recordRetry(event: RetryEvent): void {
    this.patch({ retries: [...this.state.retries, event].slice(-MAX_RETRY_EVENTS) });
  }
}

/** A promise with its resolver, to wake waiters when the phase changes. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
