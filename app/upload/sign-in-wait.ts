import type { Alarm } from "./alarm";
import type { RunControl } from "./run-control";
import type { UploadStateStore } from "./upload-state";

/** Checks of the session start after 1 s and slow down to this. */
const CHECK_CAP_MS = 10_000;

export interface SignInWaitOptions {
  state: UploadStateStore;
  control: RunControl;
  alarm: Alarm;
  /** The signed-in user's id, or null when signed out (rejects when the app cannot be reached). */
  signedInAs: () => Promise<string | null>;
  /** The user the upload belongs to: only their session continues it. */
  userId: string;
}

/**
 * A 401 from the app means the session expired: the upload pauses ("Sign in again to continue") and
 * checks the session with backoff until the same person has signed in again, in another tab most
 * likely (the session cookie is shared), then continues.
 */
export class SignInWait {
  constructor(private readonly options: SignInWaitOptions) {}

  /** Resolves once the person is signed in again (or the phase moved on for another reason). */
  async untilSignedIn(): Promise<void> {
    const { state, control, alarm } = this.options;
    const signedOut = () => state.current.phase === "signed-out";
    if (signedOut()) return control.untilPhaseIsNot("signed-out");
    state.setPhase("signed-out");
    for (let check = 1; signedOut(); check += 1) {
      await alarm.sleep(Math.min(CHECK_CAP_MS, 1000 * 2 ** (check - 1)), control.runSignal);
      if (!signedOut()) return;
      const user = await this.options.signedInAs().catch(() => null);
      if (user === this.options.userId && signedOut()) state.setPhase("uploading");
    }
  }
}
