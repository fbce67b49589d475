import { describe, expect, it } from "vitest";
import { Alarm } from "~/upload/alarm";
import { ApiError } from "~/upload/api";
import { apiCaller } from "~/upload/api-retry";
import { isAbort } from "~/upload/errors";
import { RunControl } from "~/upload/run-control";
import { SignInWait } from "~/upload/sign-in-wait";
import type { CallEntry, WaitEntry } from "~/upload/attempt-log";
import { UploadStateStore } from "~/upload/upload-state";
import { WaitingRoom } from "~/upload/waiting";
import { ManualClock, settled } from "../support/manual-clock.js";

function harness(maxAttempts = 3) {
  const clock = new ManualClock();
  const state = new UploadStateStore({ name: "clip.mp4", size: 1 }, clock);
  state.setPhase("uploading");
  const control = new RunControl(state, clock);
  const alarm = new Alarm(clock);
  const policy = () => ({ baseMs: 1000, capMs: 30_000, maxAttempts, waitCapMs: 60_000 });
  const h = {
    clock,
    state,
    control,
    alarm,
    online: true,
    networkFailures: 0,
    calls: 0,
    user: "user-1" as string | null,
    sessionChecks: 0,
    timeline: [] as Array<CallEntry | WaitEntry>,
  };
  const random = () => 0.5;
  const waiting = new WaitingRoom({ state, control, alarm, clock, policy, random });
  const signedInAs = async () => {
    h.sessionChecks += 1;
    return h.user;
  };
  const signIn = new SignInWait({ state, control, alarm, userId: "user-1", signedInAs });
  const call = apiCaller({
    control,
    policy,
    random,
    waiting,
    signIn,
    now: () => clock.now(),
    online: () => h.online,
    onNetworkFailure: () => (h.networkFailures += 1),
    log: (entry) => h.timeline.push(entry),
  });
  /** An API function failing with these statuses in turn, then answering "ok". */
  const failing =
    (...statuses: number[]) =>
    async () => {
      h.calls += 1;
      const status = statuses.shift();
      if (status !== undefined) throw new ApiError(status, "x", `status ${status}`);
      return "ok";
    };
  return { h, call, failing, clock, state, control, alarm };
}

describe("API calls with retries", () => {
  it("retry network failures, 5xx and 429 with backoff, report network failures and log each failure and wait", async () => {
    const { h, call, failing, clock } = harness(5);
    const result = call("sign", failing(0, 503, 429));
    await settled();
    expect(clock.pending()).toEqual([500]);
    await clock.advance(500);
    expect(clock.pending()).toEqual([1000]);
    await clock.advance(1000);
    await clock.advance(2000);
    await expect(result).resolves.toBe("ok");
    expect(h.calls).toBe(4);
    expect(h.networkFailures).toBe(1);
    expect(
      h.timeline.map((e) =>
        e.kind === "call" ? [e.call, e.attempt, e.next, e.reason] : [e.kind, e.part, e.why, e.durationMs],
      ),
    ).toEqual([
      ["sign", 1, "retry", "no answer from the app"],
      ["wait", null, "backoff", 500],
      ["sign", 2, "retry", "the app answered 503"],
      ["wait", null, "backoff", 1000],
      ["sign", 3, "retry", "the app answered 429"],
      ["wait", null, "backoff", 2000],
    ]);
  });

  it("give up at once when the app refuses (403, 404, 409)", async () => {
    const { h, call, failing } = harness(3);
    for (const status of [403, 404, 409]) {
      await expect(call("sign", failing(status))).rejects.toMatchObject({ status });
    }
    // The refusal that failed the call is in the timeline too.
    expect(h.timeline.map((e) => (e.kind === "call" ? [e.next, e.reason] : e.kind))).toEqual(
      [403, 404, 409].map((status) => ["fatal", `the app answered ${status}`]),
    );
    expect(h.calls).toBe(3);
  });

  it("wait once the attempts are spent, probing with a growing pause, until the app answers again", async () => {
    const { h, call, failing, clock, state } = harness(2);
    const result = call("complete", failing(502, 502, 502));
    await clock.advance(500); // the one retry within the attempts
    expect(h.calls).toBe(2);
    expect(state.current.phase).toBe("waiting");
    expect(state.current.wait).toMatchObject({ for: "app", reason: "the app answered 502" });
    // random() is 0.5: three quarters of 5 s, then of 10 s.
    expect(state.current.wait!.until - clock.now()).toBe(3750);
    await clock.advance(3750);
    expect(h.calls).toBe(3);
    expect(state.current.wait!.until - clock.now()).toBe(7500);
    await clock.advance(7500);
    await expect(result).resolves.toBe("ok");
    expect(state.current.phase).toBe("uploading");
    expect(state.current.wait).toBeUndefined();
  });

  it("probe at once on Try now", async () => {
    const { h, call, failing, clock, state, alarm } = harness(1);
    const result = call("create", failing(0, 0));
    await settled();
    expect(state.current.phase).toBe("waiting");
    alarm.ring();
    await settled();
    expect(h.calls).toBe(2);
    expect(state.current.phase).toBe("waiting");
    alarm.ring();
    await clock.advance(0);
    await expect(result).resolves.toBe("ok");
  });

  it("hold other calls while one probes, and let them go when it gets through", async () => {
    const { h, call, failing, clock, state } = harness(1);
    const first = call("sign", failing(500));
    await settled();
    expect(state.current.phase).toBe("waiting");
    const second = call("record", failing(500));
    await settled();
    expect(clock.pending()).toEqual([3750]);
    await clock.advance(3750);
    await expect(first).resolves.toBe("ok");
    await clock.advance(0);
    await expect(second).resolves.toBe("ok");
    expect(h.calls).toBe(4);
  });

  it("pause on a 401 until the same person has signed in again", async () => {
    const { h, call, failing, clock, state } = harness(3);
    h.user = null;
    const result = call("sign", failing(401));
    await settled();
    expect(state.current.phase).toBe("signed-out");
    await clock.advance(1000 + 2000 + 4000);
    expect(h.sessionChecks).toBe(3);
    h.user = "someone-else";
    await clock.advance(8000);
    expect(state.current.phase).toBe("signed-out");
    h.user = "user-1";
    await clock.advance(10_000);
    expect(state.current.phase).toBe("uploading");
    await expect(result).resolves.toBe("ok");
    expect(h.calls).toBe(2);
  });

  it("keep trying network failures while offline, waiting for the upload to be runnable", async () => {
    const { h, call, failing, clock, state } = harness(2);
    h.online = false;
    state.setPhase("offline");
    const result = call("sign", failing(0, 0, 0, 0));
    await clock.advance(60_000);
    expect(h.calls).toBe(1);
    state.setPhase("uploading");
    for (let i = 0; i < 4; i += 1) await clock.advance(30_000);
    await expect(result).resolves.toBe("ok");
    expect(h.calls).toBe(5);
  });

  it("stop when the upload is cancelled, unless the call is part of cancelling", async () => {
    const { h, call, failing, control, clock } = harness(5);
    const stopped = call("sign", failing(500, 500)).catch((e: unknown) => e);
    const cancelling = call("abort", failing(500), true);
    await settled();
    control.cancel();
    expect(isAbort(await stopped)).toBe(true);
    await clock.advance(1000);
    await expect(cancelling).resolves.toBe("ok");
    expect(h.calls).toBe(3);
  });

  it("pass errors that are not the API's straight on", async () => {
    const { call } = harness();
    const bug = new TypeError("x is undefined");
    await expect(
      call("sign", async () => {
        throw bug;
      }),
    ).rejects.toBe(bug);
  });
});
