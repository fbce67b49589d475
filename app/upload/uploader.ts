import { UPLOAD_DEFAULTS } from "../shared/upload-defaults";
import type { UploadView } from "../shared/uploads";
import { createUploadInput, type UploadApi } from "./api";
import { apiCaller, type ApiCaller } from "./api-retry";
import { checkIntegrity, completeRound } from "./completion";
import { Connectivity } from "./connectivity";
import { realClock, type Clock, type OnlineSignal, type UploadLocks, type WakeLocker } from "./environment";
import { UploadFailedError, failureMessage, isAbort, partFailureOf } from "./errors";
import { toBase64, type SliceHasher } from "./hash";
import { PartPipeline } from "./part-pipeline";
import { runQueue } from "./part-queue";
import { resumeRecordFor, type ResumeStore } from "./resume-store";
import { RunControl } from "./run-control";
import { decide, retryPolicy, type Failure } from "./retry";
import type { PartTransport } from "./transport";
import { UploadStateStore, isActivePhase, type UploadState } from "./upload-state";

export type { PartPhase, PartState, RetryEvent, UploadPhase, UploadState } from "./upload-state";

export interface UploaderDeps {
  api: UploadApi;
  transport: PartTransport;
  store: ResumeStore;
  hasher: SliceHasher;
  userId: string;
  online: OnlineSignal;
  locks: UploadLocks;
  wakeLock: WakeLocker;
  clock?: Clock;
  random?: () => number;
  /** Checks that the server is reachable again after a run of network failures. */
  probe?: () => Promise<boolean>;
}

/** Times the upload runs the completion round (complete, send what storage still misses) before giving up. */
const COMPLETION_ROUNDS = 4;

/**
 * Uploads one file as an S3 multipart upload through the app's API: parts in parallel, each hashed
 * (SHA-256 of that slice only) and sent to a presigned URL, with retries, pause, offline waiting and
 * resume. Framework-free: UIs subscribe to its state and call its controls.
 */
export class FileUpload {
  private readonly state: UploadStateStore;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly connectivity: Connectivity;
  private view?: UploadView;
  private parts!: PartPipeline;
  private policy = retryPolicy(UPLOAD_DEFAULTS.retry);
  private readonly control: RunControl;
  private readonly withApiRetry: ApiCaller;
  private releaseLock: () => void = () => undefined;
  private releaseWakeLock: () => void = () => undefined;
  private unsubscribeOnline: () => void = () => undefined;
  private running?: Promise<UploadState>;

  constructor(
    readonly file: File,
    private readonly deps: UploaderDeps,
  ) {
    this.clock = deps.clock ?? realClock;
    this.random = deps.random ?? Math.random;
    this.state = new UploadStateStore(file, this.clock);
    this.control = new RunControl(this.state, this.clock);
    this.connectivity = new Connectivity({
      phase: () => this.state.current.phase,
      setPhase: (phase) => this.state.setPhase(phase),
      interruptAttempts: () => this.control.interrupt(),
      probe: () => (this.deps.probe ?? (() => Promise.resolve(true)))(),
      clock: this.clock,
      signal: this.control.cancelSignal,
    });
    this.withApiRetry = apiCaller({
      control: this.control,
      policy: () => this.policy,
      online: () => this.deps.online.isOnline(),
      random: this.random,
      onNetworkFailure: () => this.connectivity.networkFailed(),
    });
  }

  getState(): UploadState {
    return this.state.current;
  }

  subscribe(listener: (state: UploadState) => void): () => void {
    return this.state.subscribe(listener);
  }

  /** Runs the upload to its end (done, failed, cancelled or locked); safe to call more than once. */
  start(): Promise<UploadState> {
    this.running ??= this.run();
    return this.running;
  }

  pause(): void {
    if (!isActivePhase(this.state.current.phase)) return;
    this.state.setPhase("paused");
    this.control.interrupt();
    this.releaseWakeLock();
  }

  resume(): void {
    if (this.state.current.phase !== "paused") return;
    this.state.setPhase(this.deps.online.isOnline() ? "uploading" : "offline");
    void this.deps.wakeLock.acquire().then((release) => (this.releaseWakeLock = release));
  }

  /** Stops everything and aborts the upload on the server. */
  async cancel(): Promise<void> {
    if (["done", "cancelled"].includes(this.state.current.phase)) return;
    const uploadId = this.view?.id;
    this.control.cancel();
    this.state.setPhase("cancelled");
    if (uploadId) {
      await this.withApiRetry(() => this.deps.api.abort(uploadId), true).catch(() => undefined);
      this.deps.store.remove(uploadId);
    }
  }

  private async run(): Promise<UploadState> {
    const stopSampling = this.state.sampleWhileActive();
    try {
      const view = await this.withApiRetry(() => this.deps.api.create(createUploadInput(this.file)));
      this.view = view;
      this.state.patch({ uploadId: view.id });
      const release = await this.deps.locks.acquire(`feedup-upload:${view.id}`);
      if (!release) {
        this.state.patch({ phase: "locked", error: "This file is uploading in another tab.", resumable: true });
        return this.state.current;
      }
      this.releaseLock = release;
      this.prepare(view);
      this.unsubscribeOnline = this.deps.online.subscribe((online) => this.connectivity.onlineChanged(online));
      this.releaseWakeLock = await this.deps.wakeLock.acquire();
      this.state.setPhase(this.deps.online.isOnline() ? "uploading" : "offline");
      return await this.uploadAndComplete();
    } catch (error) {
      return this.fail(error);
    } finally {
      stopSampling();
      this.unsubscribeOnline();
      this.releaseWakeLock();
      this.releaseLock();
    }
  }

  /** Sends what is missing and completes, as often as storage names parts it still lacks. */
  private async uploadAndComplete(): Promise<UploadState> {
    for (let round = 1; ; round += 1) {
      await this.uploadPendingParts();
      this.state.setPhase("finishing");
      const view = this.view!;
      const result = await completeRound({
        partNumbers: this.state.current.parts.map((p) => p.partNumber),
        resumedParts: view.completedParts,
        localChecksum: async (n) => toBase64(await this.parts.digests.digest(n)),
        complete: () => this.withApiRetry(() => this.deps.api.complete(view.id)),
      });
      if (result.outcome === "completed") return this.finish(result.upload);
      for (const n of result.parts) this.state.requeue(n);
      if (result.outcome === "mismatched") {
        const completedParts = view.completedParts.filter((p) => !result.parts.includes(p.partNumber));
        this.view = { ...view, completedParts };
      }
      if (round >= COMPLETION_ROUNDS)
        throw new UploadFailedError("Storage kept missing parts after completion was attempted.", false);
      this.state.setPhase("uploading");
    }
  }

  private fail(error: unknown): UploadState {
    if (this.control.cancelSignal.aborted) return this.state.current;
    const message = failureMessage(error);
    const gone = error instanceof UploadFailedError && error.gone;
    this.control.interrupt();
    if (gone && this.view) this.deps.store.remove(this.view.id);
    this.state.patch({ phase: "failed", error: message, resumable: !gone && Boolean(this.view) });
    return this.state.current;
  }

  /** Sets up the parts from the server's view: what S3 already has counts as done (for now). */
  private prepare(view: UploadView): void {
    this.policy = retryPolicy(view.retry);
    this.parts = new PartPipeline(this.file, view, {
      hasher: (blob) => this.deps.hasher(blob),
      transport: (request) => this.deps.transport(request),
      now: () => this.clock.now(),
      signParts: (parts) => this.withApiRetry(() => this.deps.api.signParts(view.id, parts)),
      isDone: (n) => this.state.current.parts[n - 1]?.phase === "done",
    });
    this.state.startParts(this.parts.plan, new Set(view.completedParts.map((p) => p.partNumber)));
    this.saveResumeRecord();
  }

  private async uploadPendingParts(): Promise<void> {
    const pending = this.state.current.parts.filter((p) => p.phase !== "done").map((p) => p.partNumber);
    this.parts.startRound(pending);
    // The first part to give up stops the rest: the error is the upload's.
    await runQueue(
      pending,
      this.view!.concurrency,
      (n) => this.uploadPart(n),
      () => this.control.interrupt(),
    );
    this.control.throwIfCancelled();
  }

  private async uploadPart(n: number): Promise<void> {
    let attempt = 0;
    for (;;) {
      await this.control.untilRunnable();
      try {
        await this.sendPart(n, attempt + 1);
        return;
      } catch (error) {
        this.state.updatePart(n, { sentBytes: 0 });
        this.control.throwIfCancelled();
        if (isAbort(error)) continue; // paused or went offline: not this part's fault
        attempt = await this.retryPart(n, partFailureOf(error), attempt + 1);
      }
    }
  }

  /** One attempt at part `n`: hash, sign, send, and have the server record it. */
  private async sendPart(n: number, attempt: number): Promise<void> {
    const signal = this.control.attemptSignal;
    this.state.updatePart(n, { phase: "hashing" });
    const checksum = await this.parts.checksum(n);
    this.state.updatePart(n, { phase: "signing" });
    const signed = await this.parts.urlFor(n);
    // Paused or offline while hashing or signing: send nothing now.
    if (signal.aborted) throw new DOMException("Interrupted", "AbortError");
    this.state.updatePart(n, { phase: "uploading", sentBytes: 0, attempts: attempt });
    const { etag } = await this.parts.put(n, signed, signal, (sent) => this.state.partProgress(n, sent));
    await this.withApiRetry(() => this.deps.api.recordPart(this.view!.id, n, etag, checksum));
    this.connectivity.succeeded();
    this.state.partDone(n);
    this.saveResumeRecord();
  }

  /** After part `n`'s `attempt`-th failure: waits out the retry (or gives up); returns the attempts used. */
  private async retryPart(n: number, failure: Failure, attempt: number): Promise<number> {
    // While the connection is known to be down, network failures wait for it instead of using up attempts.
    const phase = this.state.current.phase;
    const online = this.deps.online.isOnline() && phase !== "offline" && phase !== "reconnecting";
    const decision = decide(failure, attempt, this.policy, online, this.random);
    if (decision.action === "give-up") throw new UploadFailedError(decision.reason, decision.gone);
    const used = decision.countsAsAttempt ? attempt : attempt - 1;
    if (failure.type === "network" || failure.type === "stall") this.connectivity.networkFailed();
    this.parts.forget(n, decision);
    const { reason, delayMs } = decision;
    this.state.recordRetry({ partNumber: n, attempt: Math.max(used, 1), reason, delayMs, at: this.clock.now() });
    this.state.updatePart(n, { phase: "retrying" });
    await this.control.sleep(delayMs);
    return used;
  }

  private async finish(completed: UploadView): Promise<UploadState> {
    await checkIntegrity(
      completed,
      this.state.current.parts.map((p) => this.parts.digests.get(p.partNumber)!),
    );
    this.deps.store.remove(completed.id);
    this.state.patch({ phase: "done", result: completed, error: undefined });
    return this.state.current;
  }

  private saveResumeRecord(): void {
    const done = this.state.current.parts.filter((p) => p.phase === "done").map((p) => p.partNumber);
    const { digests } = this.parts;
    const checksumOf = (n: number) => (digests.has(n) ? digests.checksum(n) : undefined);
    this.deps.store.put(resumeRecordFor(this.view!, this.deps.userId, done, checksumOf, this.clock.now()));
  }
}
