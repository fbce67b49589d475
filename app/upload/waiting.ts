import type { Alarm } from "./alarm";
import type { Clock } from "./environment";
import { waitDelay, type RetryPolicy } from "./retry";
import type { RunControl } from "./run-control";
import type { UploadStateStore, WaitInfo } from "./upload-state";

export interface WaitingRoomOptions {
  state: UploadStateStore;
  control: RunControl;
  /** "Try now" rings it. */
  alarm: Alarm;
  clock: Clock;
  policy: () => RetryPolicy;
  random: () => number;
}

/**
 * The waiting phase. When a part or an API call has spent its attempts on a failure time may cure,
 * the upload does not fail: it waits, and one of the waiting (the prober) tries again after a pause
 * that grows to the cap (`waitDelay`), for as long as the page is open; the others hold until it gets
 * through. "Try now" ends the pause at once; pausing or cancelling ends the wait.
 */
export class WaitingRoom {
  private probes = 0;

  constructor(private readonly options: WaitingRoomOptions) {}

  /**
   * The caller's attempts are spent on `reason`. `wasProbing` says whether its failed attempt was the
   * probe (what the previous call returned). Resolves true when the caller is to probe now (the upload
   * still waiting), false when it should carry on as usual (the wait is over, or another phase holds).
   */
  async wait(target: WaitInfo["for"], reason: string, wasProbing: boolean): Promise<boolean> {
    const { state, control, clock, alarm } = this.options;
    const phase = state.current.phase;
    if (phase === "waiting" && !wasProbing) {
      await control.untilPhaseIsNot("waiting");
      return false;
    }
    if (phase !== "waiting" && phase !== "uploading") return false;
    this.probes += 1;
    const delayMs = waitDelay(this.probes, this.options.policy(), this.options.random);
    state.setPhase("waiting", { wait: { for: target, reason, until: clock.now() + delayMs } });
    await alarm.sleep(delayMs, control.runSignal);
    return state.current.phase === "waiting";
  }

  /**
   * Something got through: the wait, if any, is over (the prober, if still pausing, tries at once),
   * and the next wait starts from the shortest pause.
   */
  succeeded(): void {
    this.probes = 0;
    if (this.options.state.current.phase !== "waiting") return;
    this.options.state.setPhase("uploading");
    this.options.alarm.ring();
  }
}
