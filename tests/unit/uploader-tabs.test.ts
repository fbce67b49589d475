import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeChannelHub, FakeLocks, FakeUploadBackend } from "../support/fake-upload-backend.js";
import { MiB, fileOf, harness, waitFor } from "../support/uploader-harness.js";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
});
afterEach(() => vi.useRealTimers());

/** Two tabs of one browser uploading the same file: one backend, one set of locks, one channel. */
function twoTabs(setup: (backend: FakeUploadBackend) => void = () => undefined) {
  const { file } = fileOf(16 * MiB);
  const backend = new FakeUploadBackend(() => Date.now());
  setup(backend);
  const locks = new FakeLocks();
  const hub = new FakeChannelHub();
  const first = harness(file, undefined, { backend, locks, channel: hub.tab() });
  const second = harness(file, undefined, { backend, locks, channel: hub.tab() });
  return { backend, hub, first, second };
}

/** The first tab drives the upload (each part takes a second); the second follows it. */
async function secondFollowingFirst(concurrency = 1) {
  const tabs = twoTabs((b) => {
    b.concurrency = concurrency;
    b.onTransfer = () => new Promise((resolve) => setTimeout(resolve, 1000));
  });
  void tabs.first.upload.start();
  await waitFor(() => tabs.backend.calls.transport.length > 0);
  void tabs.second.upload.start();
  await waitFor(() => tabs.second.upload.getState().phase === "locked");
  return tabs;
}

describe("an upload driven by another tab", () => {
  it("shows the other tab's progress, and is done when that tab finishes", async () => {
    const { backend, hub, first, second } = await secondFollowingFirst();
    await waitFor(() => (second.upload.getState().elsewhere?.percent ?? 0) > 0);
    expect(second.upload.getState().elsewhere).toMatchObject({ phase: "uploading", stopped: false });
    await waitFor(() => second.upload.getState().phase === "done");
    expect(first.upload.getState().phase).toBe("done");
    expect(second.upload.getState().result?.id).toBe(first.upload.getState().result?.id);
    expect(second.upload.getState().elsewhere).toBeUndefined();
    expect(hub.posted.at(-1)).toMatchObject({ phase: "done", percent: 100 });
    // The second tab sent nothing.
    expect(backend.calls.create).toBe(2);
  });

  it("offers to continue when the other tab pauses, and continues here", async () => {
    const { backend, first, second } = await secondFollowingFirst();
    second.upload.continueHere(); // not offered while the other tab drives it
    expect(second.upload.getState().phase).toBe("locked");
    first.upload.pause();
    await waitFor(() => second.upload.getState().elsewhere?.stopped === true);
    second.upload.continueHere();
    await waitFor(() => second.upload.getState().phase === "done");
    expect(first.upload.getState().phase).toBe("paused");
    // What the first tab had stored was not sent again.
    const sent = backend.calls.transport;
    expect(new Set(sent).size).toBe(4);
  });

  it("does not abort the upload when a tab that only follows it is cancelled", async () => {
    const { backend, first, second } = await secondFollowingFirst(3);
    await second.upload.cancel();
    expect(backend.calls.abort).toBe(0);
    await waitFor(() => first.upload.getState().phase === "done");
  });
});
