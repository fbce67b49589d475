import type { RecordedPart } from "./api";
import { isAbort } from "./errors";

export interface PartRecorderOptions {
  /** Records a batch on the server (with the API's retries); rejects when it cannot be recorded. */
  record: (parts: RecordedPart[]) => Promise<void>;
  /** The same once the run has stopped (paused, failed): one try, no waiting. */
  recordAfterStop: (parts: RecordedPart[]) => Promise<void>;
  /** Waits `ms`; rejects when the run ends (its pending parts are then left to storage's own list). */
  sleep: (ms: number) => Promise<void>;
  /** A batch could not be recorded: the upload cannot go on as it is. Called once, for the first. */
  onFailure: (error: unknown, partNumbers: number[]) => void;
  /** Parts per call: a batch goes as soon as it is this full... */
  batchSize: number;
  /** ...or this long after its first part was added. */
  maxDelayMs: number;
}

/**
 * Tells the server about stored parts in the background, so a part's upload slot is free as soon as
 * storage answers its PUT: parts are recorded in batches (one call per `batchSize` parts or
 * `maxDelayMs`), one call at a time, in the order storage answered. The ledger is bookkeeping for
 * resuming and the sweeper: completion works from storage's own part list, and `flush` lets the run
 * wait for the records before it completes.
 */
export class PartRecorder {
  private pending: RecordedPart[] = [];
  private timerArmed = false;
  private sending: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  constructor(private readonly options: PartRecorderOptions) {}

  /** The error that stopped recording, if one did. */
  get failed(): { error: unknown } | undefined {
    return this.failure;
  }

  add(part: RecordedPart): void {
    this.pending.push(part);
    if (this.pending.length >= this.options.batchSize) this.send();
    else if (!this.timerArmed) {
      this.timerArmed = true;
      this.options.sleep(this.options.maxDelayMs).then(
        () => {
          this.timerArmed = false;
          this.send();
        },
        () => void (this.timerArmed = false),
      );
    }
  }

  /** Sends what is pending and resolves once every batch is recorded; rejects with the failure, if any. */
  async flush(): Promise<void> {
    this.send();
    await this.sending;
    if (this.failure) throw this.failure.error;
  }

  /**
   * After the run stopped (paused, or failed for another reason than recording): what is still pending
   * goes in one last call, best effort, so the ledger lists every part storage has.
   */
  async flushAfterStop(): Promise<void> {
    const batch = this.pending.splice(0);
    await this.sending;
    if (batch.length === 0 || this.failure) return;
    await this.options.recordAfterStop(batch).catch(() => undefined);
  }

  private send(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0);
    this.sending = this.sending.then(() => this.deliver(batch));
  }

  private async deliver(batch: RecordedPart[]): Promise<void> {
    if (this.failure) return;
    try {
      await this.options.record(batch);
    } catch (error) {
      // The run ended (paused, cancelled): storage keeps the parts, and the next run reads its list.
      if (isAbort(error)) return;
      this.failure = { error };
      this.options.onFailure(
        error,
        batch.map((p) => p.partNumber),
      );
    }
  }
}
