import type { Alarm } from "./alarm";
import type { Clock } from "./environment";
import { backoffDelay } from "./retry";
import { isActivePhase, type StateChanges, type UploadPhase } from "./upload-state";

/** Network failures in a row, while the browser claims to be online, before the upload waits for a probe. */
export const NETWORK_FAILURES_BEFORE_PROBING = 3;
/** Probes back off from 1 s to 15 s, without jitter. */
const PROBE_BACKOFF = { baseMs: 1000, capMs: 15_000 };

export interface ConnectivityOptions {
  phase: () => UploadPhase;
  setPhase: (phase: "uploading" | "offline" | "reconnecting", changes?: StateChanges) => void;
  /** Ends the attempts in flight; they are made again once the connection is back. */
  interruptAttempts: () => void;
  /** Whether the server answers again. */
  probe: () => Promise<boolean>;
  clock: Clock;
  /** Probes sleep on it, so that "Try now" probes at once. */
  alarm: Alarm;
  /** Aborted when the run ends (paused, cancelled, failed): probing stops. */
  signal: AbortSignal;
}

/**
 * Online, offline and reconnecting. The browser's online and offline events move an active upload to
 * "offline" (interrupting what is in flight) and back to "uploading". Browsers often claim to be online
 * when nothing gets through, so several network failures in a row move it to "reconnecting" too, where
 * it probes the server with backoff until it answers.
 */
export class Connectivity {
  private failuresInARow = 0;
  private probing = false;

  constructor(private readonly options: ConnectivityOptions) {}

  /** The browser went online or offline. */
  onlineChanged(online: boolean): void {
    const phase = this.options.phase();
    if (!online && isActivePhase(phase)) {
      this.options.setPhase("offline");
      this.options.interruptAttempts();
    } else if (online && (phase === "offline" || phase === "reconnecting")) {
      this.failuresInARow = 0;
      this.options.setPhase("uploading");
    }
  }

  /** A request got no answer (network error or stall). */
  networkFailed(): void {
    this.failuresInARow += 1;
    // Only from plain uploading: offline, waiting and signed-out have their own ways back.
    if (this.failuresInARow < NETWORK_FAILURES_BEFORE_PROBING || this.probing || this.options.phase() !== "uploading")
      return;
    void this.probeUntilReachable();
  }

  /** A request went through: the connection works. */
  succeeded(): void {
    this.failuresInARow = 0;
  }

  private async probeUntilReachable(): Promise<void> {
    const { clock, alarm, signal } = this.options;
    const reconnecting = () => this.options.phase() === "reconnecting";
    this.probing = true;
    try {
      for (let attempt = 1; attempt === 1 || reconnecting(); attempt += 1) {
        const delayMs = backoffDelay(attempt, PROBE_BACKOFF, () => 1);
        const reason = "several requests in a row got no answer";
        this.options.setPhase("reconnecting", { wait: { for: "network", reason, until: clock.now() + delayMs } });
        await alarm.sleep(delayMs, signal);
        if (!reconnecting()) return;
        if (await this.options.probe().catch(() => false)) {
          this.failuresInARow = 0;
          this.options.setPhase("uploading");
        }
      }
    } catch {
      // cancelled
    } finally {
      this.probing = false;
    }
  }
}
