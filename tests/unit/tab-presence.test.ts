import { describe, expect, it } from "vitest";
import { isAbort } from "~/upload/errors";
import { TabAnnouncer, broadcastChannel, followOtherTab, uploadLockName, type TabNews } from "~/upload/tab-presence";
import { FakeChannelHub, FakeLocks } from "../support/fake-upload-backend.js";
import { settled } from "../support/manual-clock.js";

const news = (phase: TabNews["phase"], percent: number): TabNews => ({ uploadId: "u1", phase, percent });

describe("following the tab that drives an upload", () => {
  async function following() {
    const locks = new FakeLocks();
    const release = (await locks.acquire(uploadLockName("u1")))!;
    const hub = new FakeChannelHub();
    const driver = hub.tab();
    const heard: TabNews[] = [];
    const stop = new AbortController();
    let ended = false;
    const follow = followOtherTab({
      uploadId: "u1",
      locks,
      channel: hub.tab(),
      signal: stop.signal,
      onNews: (n) => heard.push(n),
    }).then(() => (ended = true));
    return { locks, release, driver, heard, stop, follow, ended: () => ended };
  }

  it("passes on that tab's news about this upload only, and ends when it says done", async () => {
    const t = await following();
    t.driver.post(news("uploading", 40));
    t.driver.post({ ...news("uploading", 90), uploadId: "another" });
    await settled();
    expect(t.heard).toEqual([news("uploading", 40)]);
    expect(t.ended()).toBe(false);
    t.driver.post(news("done", 100));
    await t.follow;
  });

  it("ends when that tab lets go of the lock: paused, failed, or closed", async () => {
    const t = await following();
    await settled();
    expect(t.ended()).toBe(false);
    t.release();
    await t.follow;
  });

  it("stops when this tab's run ends", async () => {
    const t = await following();
    t.stop.abort();
    expect(isAbort(await t.follow.catch((e: unknown) => e))).toBe(true);
  });
});

describe("announcing", () => {
  it("posts only when the phase or the whole percent changes", () => {
    const hub = new FakeChannelHub();
    const announcer = new TabAnnouncer(hub.tab());
    for (const n of [news("uploading", 1), news("uploading", 1), news("uploading", 2), news("paused", 2)])
      announcer.announce(n);
    expect(hub.posted).toEqual([news("uploading", 1), news("uploading", 2), news("paused", 2)]);
  });

  it("goes over a real BroadcastChannel, ignoring messages that are not news", async () => {
    const a = broadcastChannel("feedup-test");
    const b = broadcastChannel("feedup-test");
    const heard: TabNews[] = [];
    const stop = b.listen((n) => heard.push(n));
    new BroadcastChannel("feedup-test").postMessage({ hello: "world" });
    a.post(news("waiting", 10));
    for (let i = 0; i < 50 && heard.length === 0; i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(heard).toEqual([news("waiting", 10)]);
    stop();
  });
});
