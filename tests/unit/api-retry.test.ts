import { describe, expect, it } from "vitest";
import { ApiError } from "~/upload/api";
import { apiCaller } from "~/upload/api-retry";
import { isAbort } from "~/upload/errors";
import { RunControl } from "~/upload/run-control";
import { UploadStateStore } from "~/upload/upload-state";
import { ManualClock, settled } from "../support/manual-clock.js";

function harness(maxAttempts = 3) {
  const clock = new ManualClock();
  const state = new UploadStateStore({ name: "clip.mp4", size: 1 }, clock);
  state.setPhase("uploading");
  const control = new RunControl(state, clock);
  const h = { clock, state, control, online: true, networkFailures: 0, calls: 0 };
  const call = apiCaller({
    control,
    policy: () => ({ baseMs: 1000, capMs: 30_000, maxAttempts }),
    online: () => h.online,
    random: () => 0.5,
    onNetworkFailure: () => (h.networkFailures += 1),
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
  return { h, call, failing, clock, state, control };
}

describe("API calls with retries", () => {
  it("retry network failures, 5xx and 429 with backoff, and report network failures", async () => {
    const { h, call, failing, clock } = harness(5);
    const result = call(failing(0, 503, 429));
    await settled();
    expect(clock.pending()).toEqual([500]);
    await clock.advance(500);
    expect(clock.pending()).toEqual([1000]);
    await clock.advance(1000);
    await clock.advance(2000);
    await expect(result).resolves.toBe("ok");
    expect(h.calls).toBe(4);
    expect(h.networkFailures).toBe(1);
  });

  it("give up on other statuses at once, and after the policy's attempts otherwise", async () => {
    const { h, call, failing, clock } = harness(3);
    await expect(call(failing(409))).rejects.toMatchObject({ status: 409 });
    expect(h.calls).toBe(1);
    const exhausted = call(failing(500, 500, 500, 500)).catch((e: unknown) => e);
    await clock.advance(10_000);
    expect(await exhausted).toMatchObject({ status: 500 });
    expect(h.calls).toBe(4);
  });

  it("keep trying network failures while offline, waiting for the upload to be runnable", async () => {
    const { h, call, failing, clock, state } = harness(2);
    h.online = false;
    state.setPhase("offline");
    const result = call(failing(0, 0, 0, 0));
    await clock.advance(60_000);
    expect(h.calls).toBe(1);
    state.setPhase("uploading");
    for (let i = 0; i < 4; i += 1) await clock.advance(30_000);
    await expect(result).resolves.toBe("ok");
    expect(h.calls).toBe(5);
  });

  it("stop when the upload is cancelled, unless the call is part of cancelling", async () => {
    const { h, call, failing, control, clock } = harness(5);
    const stopped = call(failing(500, 500)).catch((e: unknown) => e);
    const cancelling = call(failing(500), true);
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
      call(async () => {
        throw bug;
      }),
    ).rejects.toBe(bug);
  });
});
