import { apiCaller, type ApiCaller } from "./api-retry";
import type { UploadApi } from "./api";
import { Alarm } from "./alarm";
import { Connectivity } from "./connectivity";
import { realClock, type Clock, type OnlineSignal, type UploadLocks, type WakeLocker } from "./environment";
import type { FileHandleLike, HandleStore } from "./file-handles";
import type { SliceHasher } from "./hash";
import type { ResumeStore } from "./resume-store";
import type { RetryPolicy } from "./retry";
import { RunControl } from "./run-control";
import { SignInWait } from "./sign-in-wait";
import type { TabChannel } from "./tab-presence";
import type { PartTransport } from "./transport";
import { UploadStateStore } from "./upload-state";
import { WaitingRoom } from "./waiting";

export interface UploaderDeps {
  api: UploadApi;
  transport: PartTransport;
  store: ResumeStore;
  hasher: SliceHasher;
  userId: string;
  online: OnlineSignal;
  locks: UploadLocks;
  wakeLock: WakeLocker;
  /** Where tabs tell each other about their uploads (default: none). */
  channel?: TabChannel;
  /** Where the file's handle is kept with the upload, when there is one. */
  handles?: HandleStore;
  clock?: Clock;
  random?: () => number;
  /** Checks that the server is reachable again after a run of network failures. */
  probe?: () => Promise<boolean>;
}

export interface UploadOptions {
  /** The chosen file's handle: kept with the upload so that it can continue without a file dialog. */
  handle?: FileHandleLike;
  /** The post's text so far, kept with the upload. */
  caption?: string;
}

/** The pieces an upload is made of, wired to one another. */
export interface Machinery {
  state: UploadStateStore;
  clock: Clock;
  control: RunControl;
  /** "Try now" rings it. */
  alarm: Alarm;
  connectivity: Connectivity;
  waiting: WaitingRoom;
  withApiRetry: ApiCaller;
}

/** Builds the state, run control, connectivity, waiting phase and API retries of one upload. */
export function buildMachinery(file: File, deps: UploaderDeps, policy: () => RetryPolicy): Machinery {
  const clock = deps.clock ?? realClock;
  const random = deps.random ?? Math.random;
  const state = new UploadStateStore(file, clock);
  const control = new RunControl(state, clock);
  const alarm = new Alarm(clock);
  const connectivity = new Connectivity({
    phase: () => state.current.phase,
    setPhase: (phase, changes) => state.setPhase(phase, changes),
    interruptAttempts: () => control.interrupt(),
    probe: () => (deps.probe ?? (() => Promise.resolve(true)))(),
    clock,
    alarm,
    get signal() {
      return control.runSignal;
    },
  });
  const waiting = new WaitingRoom({ state, control, alarm, clock, policy, random });
  const signedInAs = () => deps.api.signedInAs();
  const signIn = new SignInWait({ state, control, alarm, userId: deps.userId, signedInAs });
  const withApiRetry = apiCaller({
    control,
    policy,
    random,
    waiting,
    signIn,
    now: () => clock.now(),
    online: () => deps.online.isOnline(),
    onNetworkFailure: () => connectivity.networkFailed(),
    log: (entry) => state.logEntry(entry),
  });
  return { state, clock, control, alarm, connectivity, waiting, withApiRetry };
}
