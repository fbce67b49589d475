import { partRange } from "../shared/plan";
import type { UploadView } from "../shared/uploads";
import type { UploadApi } from "./api";
import type { ApiCaller } from "./api-retry";
import { checkIntegrity, completeRound } from "./completion";
import { ApiError } from "./api";
import { UploadFailedError } from "./errors";
import type { SliceHasher } from "./hash";
import { PartAttempts, type PartAttemptsDeps } from "./part-attempts";
import type { PartDigests } from "./part-digests";
import { PartPipeline } from "./part-pipeline";
import { runQueue } from "./part-queue";
import { PartRecorder } from "./part-recorder";
import type { PartTransport } from "./transport";

/** Times the upload runs the completion round (complete, send what storage still misses) before giving up. */
const COMPLETION_ROUNDS = 4;

/** Stored parts are recorded on the server in one call per this many parts, or after this long. */
export const RECORD_BATCH = { parts: 8, maxDelayMs: 1000 };

/** What a run needs: what its parts' attempts need, and the file, the API and the data path. */
export interface UploadRunDeps extends Omit<PartAttemptsDeps, "parts" | "record" | "onDone"> {
  file: File;
  api: UploadApi;
  hasher: SliceHasher;
  transport: PartTransport;
  withApiRetry: ApiCaller;
  /** A part is stored: the resume record is written again. */
  onPartDone: () => void;
}

/**
 * One run of an upload, from the server's view of it: the parts it lacks are sent (PartAttempts, at
 * most `concurrency` at a time), then completion, as often as storage names parts it still misses,
 * and the integrity check of the result.
 */
export class UploadRun {
  readonly parts: PartPipeline;

  constructor(
    private view: UploadView,
    private readonly deps: UploadRunDeps,
    /** Digests from an earlier run of the same upload. */
    earlier?: PartDigests,
  ) {
    const { state, clock, api, withApiRetry } = deps;
    this.parts = new PartPipeline(
      deps.file,
      view,
      {
        hasher: (blob, algorithm) => deps.hasher(blob, algorithm),
        transport: (request) => deps.transport(request),
        now: () => clock.now(),
        signParts: (parts) => withApiRetry("sign", () => api.signParts(view.id, parts)),
        isDone: (n) => state.current.parts[n - 1]?.phase === "done",
        onResigned: (n, reason) => state.logEntry({ kind: "resign", part: n, at: clock.now(), reason }),
      },
      earlier,
    );
    // Half the stall timeout without progress is worth showing; the whole of it cuts the request.
    const stalledAfterMs = view.stallTimeoutMs / 2;
    state.startParts(this.parts.plan, new Set(view.completedParts.map((p) => p.partNumber)), stalledAfterMs);
  }

  /** Sends what is missing and completes; resolves with the completed upload. */
  async uploadAndComplete(): Promise<UploadView> {
    const { state } = this.deps;
    for (let round = 1; ; round += 1) {
      await this.uploadPendingParts();
      state.setPhase("finishing");
      const view = this.view;
      const result = await completeRound({
        partNumbers: state.current.parts.map((p) => p.partNumber),
        resumedParts: view.completedParts,
        localChecksum: (n) => this.parts.digests.digest(n),
        complete: () => this.deps.withApiRetry("complete", () => this.deps.api.complete(view.id)),
      });
      if (result.outcome === "completed") return this.checked(result.upload);
      for (const n of result.parts) state.requeue(n);
      if (result.outcome === "mismatched") {
        const completedParts = view.completedParts.filter((p) => !result.parts.includes(p.partNumber));
        this.view = { ...view, completedParts };
      }
      if (round >= COMPLETION_ROUNDS)
        throw new UploadFailedError("Storage kept missing parts after completion was attempted.", false);
      state.setPhase("uploading");
    }
  }

  private async uploadPendingParts(): Promise<void> {
    const { state, control } = this.deps;
    const pending = state.current.parts.filter((p) => p.phase !== "done").map((p) => p.partNumber);
    this.parts.startRound(pending);
    const recorder = this.recorder();
    const attempts = new PartAttempts({
      ...this.deps,
      parts: this.parts,
      record: (partNumber, etag, checksum) => recorder.add({ partNumber, etag, checksum }),
      onDone: () => this.deps.onPartDone(),
    });
    // The first part to fail for good stops the rest: the error is the upload's (or the recorder's, which halts the run).
    try {
      await runQueue(
        pending,
        this.view.concurrency,
        (n) => attempts.upload(n),
        () => control.halt(),
      );
    } catch (error) {
      // Cancelled, or the upload is gone: there is nothing left to record parts on.
      const gone = control.cancelSignal.aborted || (error instanceof UploadFailedError && error.gone);
      if (!gone) await recorder.flushAfterStop();
      throw recorder.failed ? recordingError(recorder.failed.error) : error;
    }
    await recorder.flush().catch((error: unknown) => {
      throw recordingError(error);
    });
    control.throwIfStopped();
  }

  /** Records stored parts in the background; a batch the server refuses fails those parts and ends the run. */
  private recorder(): PartRecorder {
    const { state, control, withApiRetry, api } = this.deps;
    return new PartRecorder({
      record: (parts) => withApiRetry("record", () => api.recordParts(this.view.id, parts)),
      recordAfterStop: (parts) => withApiRetry("record", () => api.recordParts(this.view.id, parts), true),
      sleep: (ms) => control.sleep(ms),
      onFailure: (error, partNumbers) => {
        const reason = error instanceof Error ? error.message : String(error);
        for (const n of partNumbers) state.partFailed(n, reason, true);
        control.halt();
      },
      batchSize: RECORD_BATCH.parts,
      maxDelayMs: RECORD_BATCH.maxDelayMs,
    });
  }

  /** The completed object's checksum must be the one this file's parts make. */
  private async checked(completed: UploadView): Promise<UploadView> {
    const parts = this.deps.state.current.parts.map((p) => ({
      checksum: this.parts.digests.get(p.partNumber)!,
      size: partRange(this.parts.plan, p.partNumber).size,
    }));
    await checkIntegrity(completed, parts);
    return completed;
  }
}

/** The upload's error for a failed record: the server's refusal ends it (gone when the upload is). */
function recordingError(error: unknown): Error {
  if (error instanceof ApiError) return new UploadFailedError(error.message, error.status === 404);
  return error instanceof Error ? error : new Error(String(error));
}
