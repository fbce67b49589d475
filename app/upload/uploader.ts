import { checksumModeName } from "../shared/checksum-mode";
import { partRange } from "../shared/plan";
import { UPLOAD_DEFAULTS } from "../shared/upload-defaults";
import type { UploadView } from "../shared/uploads";
import { ApiError, createUploadInput } from "./api";
import type { ApiCaller } from "./api-retry";
import type { Alarm } from "./alarm";
import { summarize } from "./attempt-log";
import type { Connectivity } from "./connectivity";
import type { Clock } from "./environment";
import { UploadFailedError, failureMessage, isAbort } from "./errors";
import { resumeRecordFor } from "./resume-store";
import { percentShown } from "./status-text";
import { retryPolicy } from "./retry";
import type { RunControl } from "./run-control";
import { TabAnnouncer, broadcastChannel, followOtherTab, uploadLockName, type TabChannel } from "./tab-presence";
import { UploadRun } from "./upload-run";
import { isActivePhase, type UploadState, type UploadStateStore } from "./upload-state";
import { buildMachinery, type UploadOptions, type UploaderDeps } from "./upload-wiring";
import type { WaitingRoom } from "./waiting";

export type { PartPhase, PartState, UploadPhase, UploadState } from "./upload-state";
export type { UploaderDeps, UploadOptions } from "./upload-wiring";

/** How long after the last change a changed caption is written to the resume record. */
const CAPTION_SAVE_DELAY_MS = 500;
/** Refusals of the file itself, which trying again cannot change. */
const FINAL_API_STATUSES = [400, 413, 422];

/**
 * Uploads one file as an S3 multipart upload through the app's API: parts in parallel, each hashed
 * (SHA-256 of that slice only) and sent to a presigned URL, with retries, waiting, pause and resume.
 * While the page holds the file it never gives up on what time can cure; a failure it cannot fix
 * offers Retry. Framework-free: UIs subscribe to its state and call its controls.
 */
export class FileUpload {
  private readonly state: UploadStateStore;
  private readonly clock: Clock;
  private readonly control: RunControl;
  private readonly alarm: Alarm;
  private readonly connectivity: Connectivity;
  private readonly waiting: WaitingRoom;
  private readonly withApiRetry: ApiCaller;
  private readonly channel: TabChannel;
  private readonly announcer: TabAnnouncer;
  private view?: UploadView;
  private upload?: UploadRun;
  private policy = retryPolicy(UPLOAD_DEFAULTS.retry);
  private caption: string;
  private releaseLock?: () => void;
  private releaseWakeLock: () => void = () => undefined;
  private unsubscribeOnline: () => void = () => undefined;
  private running?: Promise<UploadState>;
  private captionSave?: Promise<void>;
  /** When the current run started: its summary covers the timeline from then on. */
  private runStartedAt = 0;

  constructor(
    readonly file: File,
    private readonly deps: UploaderDeps,
    private readonly options: UploadOptions = {},
  ) {
    const machinery = buildMachinery(file, deps, () => this.policy);
    ({ state: this.state, clock: this.clock, control: this.control, alarm: this.alarm } = machinery);
    ({ connectivity: this.connectivity, waiting: this.waiting, withApiRetry: this.withApiRetry } = machinery);
    this.caption = options.caption ?? "";
    this.channel = deps.channel ?? broadcastChannel();
    this.announcer = new TabAnnouncer(this.channel);
    const { state } = this;
    state.subscribe((s) => this.announce(s));
  }

  getState(): UploadState {
    return this.state.current;
  }

  subscribe(listener: (state: UploadState) => void): () => void {
    return this.state.subscribe(listener);
  }

  /** Runs the upload until it ends (done, failed, paused, cancelled or driven by another tab). */
  start(): Promise<UploadState> {
    this.running ??= this.run();
    return this.running;
  }

  /** Stops sending (what is in flight is aborted) and lets another tab take over; `resume` goes on. */
  pause(): void {
    if (!isActivePhase(this.state.current.phase)) return;
    this.state.setPhase("paused");
    this.control.halt();
  }

  resume(): void {
    if (this.state.current.phase === "paused") this.restart();
  }

  /** After a failure: tries again from the server's part list, sending only what is missing. */
  retry(): void {
    if (this.state.current.phase === "failed" && this.state.current.resumable) this.restart();
  }

  /** The tab that drove this upload stopped (paused, failed, closed): this tab continues it. */
  continueHere(): void {
    if (this.state.current.phase === "locked" && this.state.current.elsewhere?.stopped) this.restart();
  }

  /** Ends the waiting phase's (or reconnecting's) pause now. */
  tryNow(): void {
    this.alarm.ring();
  }

  /** The post's text changed: it is kept with the upload. */
  keepCaption(caption: string): void {
    this.caption = caption;
    // Typing changes it at every key: the record (a line per stored part) is written once things settle.
    if (this.captionSave || !this.releaseLock || !this.upload) return;
    this.captionSave = this.clock.sleep(CAPTION_SAVE_DELAY_MS).then(() => {
      this.captionSave = undefined;
      if (this.releaseLock && this.upload) this.saveResumeRecord();
    });
  }

  /** Stops everything and aborts the upload on the server (unless another tab drives it). */
  async cancel(): Promise<void> {
    const phase = this.state.current.phase;
    if (phase === "done" || phase === "cancelled") return;
    const uploadId = this.view?.id;
    this.control.cancel();
    this.state.setPhase("cancelled");
    if (uploadId && phase !== "locked") {
      await this.withApiRetry("abort", () => this.deps.api.abort(uploadId), true).catch(() => undefined);
      this.forget(uploadId);
    }
  }

  /**
   * Removes a finished upload that no post will use: it is deleted on the server, its stored file
   * with it, at once rather than by the sweeper. False when the server could not be told; the
   * upload then stays among the person's unposted uploads, to delete there (or be swept).
   */
  async removeFinished(): Promise<boolean> {
    const { phase, result } = this.state.current;
    const uploadId = result?.id ?? this.view?.id;
    if (phase !== "done" || !uploadId) return true;
    try {
      await this.withApiRetry("delete", () => this.deps.api.abort(uploadId), true);
    } catch {
      return false;
    }
    this.forget(uploadId);
    return true;
  }

  /** A new run once the previous one has wound down. */
  private restart(): void {
    const previous = this.running ?? Promise.resolve();
    this.state.setPhase("starting", { error: undefined });
    this.running = previous.then(() => {
      this.control.newRun();
      return this.run();
    });
  }

  private async run(): Promise<UploadState> {
    this.runStartedAt = this.clock.now();
    const stopSampling = this.state.sampleWhileActive();
    try {
      this.control.throwIfStopped();
      this.state.setPhase("starting", { error: undefined, elsewhere: undefined });
      const view = await this.withApiRetry("create", () => this.deps.api.create(createUploadInput(this.file)));
      this.adopt(view);
      const release = await this.deps.locks.acquire(uploadLockName(view.id));
      if (!release) return await this.followOtherTab(view.id);
      this.releaseLock = release;
      return await this.uploadAndComplete(view);
    } catch (error) {
      return this.fail(error);
    } finally {
      stopSampling();
      this.unsubscribeOnline();
      this.releaseWakeLock();
      this.state.settleUnfinishedParts();
      this.releaseLock?.();
      this.releaseLock = undefined;
    }
  }

  /** The server's view of the upload: its settings, and (on a resumed run) the parts it already has. */
  private adopt(view: UploadView): void {
    this.view = view;
    this.policy = retryPolicy(view.retry);
    this.state.patch({ uploadId: view.id, checksumMode: view.checksumMode });
    const { handle } = this.options;
    if (handle && this.deps.handles) {
      const entry = { uploadId: view.id, userId: this.deps.userId, fingerprint: view.fingerprint, handle };
      void this.deps.handles.put({ ...entry, savedAt: this.clock.now() });
    }
  }

  /** Another tab drives the upload: follows it until it lets go, then sees from the server what became of it. */
  private async followOtherTab(uploadId: string): Promise<UploadState> {
    const elsewhere = { phase: "uploading" as const, percent: 0, stopped: false };
    this.state.setPhase("locked", { resumable: true, elsewhere });
    await followOtherTab({
      uploadId,
      locks: this.deps.locks,
      channel: this.channel,
      signal: this.control.runSignal,
      onNews: ({ phase, percent }) => this.state.patch({ elsewhere: { phase, percent, stopped: false } }),
    });
    const view = await this.withApiRetry("get", () => this.deps.api.get(uploadId));
    if (view.status === "completed") {
      this.state.setPhase("done", { result: view, elsewhere: undefined, confirmedBytes: view.size });
    } else if (view.status !== "uploading") {
      throw new UploadFailedError(`This upload was ${view.status} in another tab.`, true);
    } else {
      this.state.patch({ elsewhere: { ...this.state.current.elsewhere!, stopped: true } });
    }
    return this.state.current;
  }

  private fail(error: unknown): UploadState {
    // Paused, cancelled or handed over: the run ended as asked.
    if (this.control.stopped && isAbort(error)) return this.state.current;
    this.control.halt();
    const final =
      error instanceof UploadFailedError
        ? error.final
        : error instanceof ApiError && FINAL_API_STATUSES.includes(error.status);
    if (error instanceof UploadFailedError && error.gone && this.view) this.deps.store.remove(this.view.id);
    const message = failureMessage(error);
    this.state.setPhase("failed", { error: message, resumable: !final });
    this.reportSummary("failed", message);
    return this.state.current;
  }

  /**
   * Tells the server how this run went, from the timeline since it started. Best effort: the report
   * is sent once, and whatever becomes of it changes nothing for the upload.
   */
  private reportSummary(outcome: "completed" | "failed", failureReason?: string): void {
    const view = this.view;
    if (!view || this.state.current.parts.length === 0) return;
    const plan = { fileSize: view.size, partSize: view.partSize, partCount: view.partCount };
    const summary = summarize(this.state.log.since(this.runStartedAt), {
      outcome,
      partSize: view.partSize,
      concurrency: view.concurrency,
      checksum: checksumModeName(view.checksumMode),
      startedAt: this.runStartedAt,
      endedAt: this.clock.now(),
      partBytes: (n) => partRange(plan, n).size,
      failureReason,
    });
    this.deps.api.reportSummary(view.id, summary).catch(() => undefined);
  }

  /** Sends the parts the server lacks, then completes: the run's main work. */
  private async uploadAndComplete(view: UploadView): Promise<UploadState> {
    // Checksums from the previous run hold if the parts and their algorithm are the same.
    const previous = this.upload?.parts;
    const same = previous?.plan.partSize === view.partSize && previous.algorithm === view.checksumMode.algorithm;
    const earlier = same ? previous.digests : undefined;
    const random = this.deps.random ?? Math.random;
    this.upload = new UploadRun(
      view,
      {
        ...this.deps,
        file: this.file,
        state: this.state,
        control: this.control,
        waiting: this.waiting,
        connectivity: this.connectivity,
        clock: this.clock,
        policy: () => this.policy,
        online: () => this.deps.online.isOnline(),
        random,
        withApiRetry: this.withApiRetry,
        onPartDone: () => this.saveResumeRecord(),
      },
      earlier,
    );
    this.saveResumeRecord();
    this.unsubscribeOnline = this.deps.online.subscribe((online) => this.connectivity.onlineChanged(online));
    this.releaseWakeLock = await this.deps.wakeLock.acquire();
    this.state.setPhase(this.deps.online.isOnline() ? "uploading" : "offline");
    const completed = await this.upload.uploadAndComplete();
    this.forget(completed.id);
    this.state.setPhase("done", { result: completed, error: undefined });
    this.reportSummary("completed");
    return this.state.current;
  }

  /** The upload is over (done or cancelled): nothing is kept to continue it. */
  private forget(uploadId: string): void {
    this.deps.store.remove(uploadId);
    void this.deps.handles?.remove(uploadId);
  }

  private saveResumeRecord(): void {
    const done = this.state.current.parts.filter((p) => p.phase === "done").map((p) => p.partNumber);
    const { digests } = this.upload!.parts;
    const checksumOf = (n: number) => digests.get(n);
    const record = resumeRecordFor(this.view!, this.deps.userId, done, checksumOf, this.clock.now(), this.caption);
    this.deps.store.put(record);
  }

  /** While this tab drives the upload, the others hear of its phase and progress. */
  private announce(state: UploadState): void {
    if (!this.releaseLock || !state.uploadId) return;
    this.announcer.announce({ uploadId: state.uploadId, phase: state.phase, percent: percentShown(state) });
  }
}
