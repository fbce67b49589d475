import pLimit from "p-limit";
import { ApiError, type UploadApi } from "./api";
import { apiCaller, type ApiCaller } from "./api-retry";
import { Connectivity } from "./connectivity";
import { realClock, type Clock, type OnlineSignal, type UploadLocks, type WakeLocker } from "./environment";
import { UploadFailedError, failureMessage, isAbort, partFailureOf } from "./errors";
import { compositeSha256, fileFingerprint, toBase64, type SliceHasher } from "./hash";
import { PartPipeline } from "./part-pipeline";
import { UPLOAD_DEFAULTS } from "../shared/upload-defaults";
import type { ResumeStore } from "./resume-store";
import { decide, retryPolicy, type Failure } from "./retry";
import { RunControl } from "./run-control";
import type { PartTransport } from "./transport";
import type { UploadView } from "../shared/uploads";
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

/**
 * Uploads one file as an S3 multipart upload through the app's API: parts in parallel, each hashed
 * (SHA-256 of that slice only) and sent to a presigned URL, with retries, pause, offline waiting and
 * resume. Framework-free: UIs subscribe to its state and call its controls.
 */
export class FileUpload {
  private readonly state: UploadStateStore;
  private readonly clock: Clock;
  private readonly random: () => number;
  private view?: UploadView;
  private parts!: PartPipeline;
  private policy = retryPolicy(UPLOAD_DEFAULTS.retry);
  private readonly control: RunControl;
  private readonly connectivity: Connectivity;
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
      const view = await this.withApiRetry(() =>
        this.deps.api.create({
          fileName: this.file.name,
          size: this.file.size,
          contentType: this.file.type,
          lastModified: this.file.lastModified,
          fingerprint: fileFingerprint(this.file),
        }),
      );
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

      for (let round = 0; ; round += 1) {
        await this.uploadPendingParts();
        this.state.setPhase("finishing");
        const missing = await this.verifyResumedParts();
        if (missing.length === 0) {
          const completed = await this.completeOnServer();
          if (completed) return this.finish(completed);
        }
        if (round >= 3)
          throw new UploadFailedError("Storage kept missing parts after completion was attempted.", false);
        this.state.setPhase("uploading");
      }
    } catch (error) {
      if (this.control.cancelSignal.aborted) return this.state.current;
      const message = failureMessage(error);
      const gone = error instanceof UploadFailedError && error.gone;
      this.control.interrupt();
      if (gone && this.view) this.deps.store.remove(this.view.id);
      this.state.patch({ phase: "failed", error: message, resumable: !gone && Boolean(this.view) });
      return this.state.current;
    } finally {
      stopSampling();
      this.unsubscribeOnline();
      this.releaseWakeLock();
      this.releaseLock();
    }
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
    const limit = pLimit(this.view!.concurrency);
    const pending = this.state.current.parts.filter((p) => p.phase !== "done").map((p) => p.partNumber);
    this.parts.startRound(pending);
    // The first part to give up stops the rest: the error is the upload's.
    const failure = new AbortController();
    let firstError: unknown;
    await Promise.all(
      pending.map((n) =>
        limit(async () => {
          if (failure.signal.aborted) return;
          try {
            await this.uploadPart(n);
          } catch (error) {
            if (!failure.signal.aborted) {
              firstError = error;
              failure.abort();
              this.control.interrupt();
            }
          }
        }),
      ),
    );
    if (firstError !== undefined) throw firstError;
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

  /**
   * Parts the server already had when the upload resumed were sent from some earlier copy of the file:
   * hash them here and re-send any whose checksum differs, so no byte of the result is unverified.
   */
  private async verifyResumedParts(): Promise<number[]> {
    const server = new Map(this.view!.completedParts.map((p) => [p.partNumber, p]));
    const mismatched: number[] = [];
    for (const part of this.state.current.parts) {
      const local = toBase64(await this.parts.digests.digest(part.partNumber));
      const known = server.get(part.partNumber);
      if (known?.checksumSha256 && known.checksumSha256 !== local) mismatched.push(part.partNumber);
    }
    for (const n of mismatched) this.state.requeue(n);
    this.view = {
      ...this.view!,
      completedParts: this.view!.completedParts.filter((p) => !mismatched.includes(p.partNumber)),
    };
    return mismatched;
  }

  /** Completes on the server; false when it named parts to send again (they are queued). */
  private async completeOnServer(): Promise<UploadView | false> {
    try {
      return await this.withApiRetry(() => this.deps.api.complete(this.view!.id));
    } catch (error) {
      if (error instanceof ApiError && error.code === "parts_missing") {
        const details = error.details as { missing?: number[]; wrongSize?: number[] } | undefined;
        for (const n of [...(details?.missing ?? []), ...(details?.wrongSize ?? [])]) this.state.requeue(n);
        return false;
      }
      if (error instanceof ApiError && error.status === 409) throw new UploadFailedError(error.message, true);
      if (error instanceof ApiError && error.status === 422) throw new UploadFailedError(error.message, true);
      throw error;
    }
  }

  private async finish(completed: UploadView): Promise<UploadState> {
    const digests = this.state.current.parts.map((p) => this.parts.digests.get(p.partNumber)!);
    const expected = await compositeSha256(digests);
    if (completed.checksumSha256 !== expected) {
      throw new UploadFailedError(
        `Integrity check failed: storage reports ${completed.checksumSha256 ?? "no checksum"}, this file hashes to ${expected}.`,
        false,
      );
    }
    this.deps.store.remove(completed.id);
    this.state.patch({ phase: "done", result: completed, error: undefined });
    return this.state.current;
  }

  private saveResumeRecord(): void {
    const view = this.view!;
    const parts: Record<number, { etag: string; checksumSha256?: string }> = {};
    for (const p of this.state.current.parts) {
      if (p.phase === "done") {
        const digest = this.parts.digests.get(p.partNumber);
        const server = view.completedParts.find((c) => c.partNumber === p.partNumber);
        parts[p.partNumber] = {
          etag: server?.etag ?? "",
          ...(digest
            ? { checksumSha256: toBase64(digest) }
            : server?.checksumSha256
              ? { checksumSha256: server.checksumSha256 }
              : {}),
        };
      }
    }
    this.deps.store.put({
      uploadId: view.id,
      userId: this.deps.userId,
      fingerprint: view.fingerprint,
      fileName: view.fileName,
      size: view.size,
      partSize: view.partSize,
      parts,
      updatedAt: this.clock.now(),
    });
  }
}
