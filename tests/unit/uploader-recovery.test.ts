import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MemoryResumeStore } from "~/upload/resume-store";
import { MiB, entriesOf, failedAttempts, fileOf, harness, settle, waitFor } from "../support/uploader-harness.js";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
});
afterEach(() => vi.useRealTimers());

const refused = { type: "http" as const, status: 403, code: "AccessDenied", message: "Access Denied" };

describe("the uploader gets over what it can", () => {
  it.each([1, 3])("re-signs a part storage refuses (403) %i time(s), and completes", async (times) => {
    const { file } = fileOf(11 * MiB);
    const h = harness(file, (b) =>
      b.failures.set(
        2,
        Array.from({ length: times }, () => refused),
      ),
    );
    const state = await settle(h);
    expect(state.phase).toBe("done");
    // Signed once at the start, then once more after each refusal.
    expect(h.backend.calls.sign.filter((batch) => batch.includes(2))).toHaveLength(times + 1);
    expect(failedAttempts(state).map((a) => [a.part, a.attempt, a.next, a.reason, a.category])).toEqual(
      Array.from({ length: times }, (_, i) => [2, i + 1, "retry", "upload link refused (403 AccessDenied)", "other"]),
    );
    // Each refusal was followed by a new link for the part, in the timeline too.
    expect(entriesOf(state, "resign").map((e) => [e.part, e.reason])).toEqual(
      Array.from({ length: times }, () => [2, "after: upload link refused (403 AccessDenied)"]),
    );
    // The first refusal is re-signed at once, later ones back off.
    expect(entriesOf(state, "wait").filter((w) => w.part === 2 && w.why === "backoff")).toHaveLength(times - 1);
  });

  it("re-signs after the second connection failure in a row (the endpoint may have moved)", async () => {
    const { file } = fileOf(6 * MiB);
    const h = harness(file, (b) => b.failures.set(1, [{ type: "network" }, { type: "network" }]));
    const state = await settle(h);
    expect(state.phase).toBe("done");
    // The timeline: failure, backoff, failure, backoff, a new link, then the part stored.
    const partOne = state.timeline.entries.filter((e) => "part" in e && e.part === 1);
    expect(partOne.map((e) => (e.kind === "attempt" ? e.outcome : e.kind))).toEqual([
      "failed",
      "wait",
      "failed",
      "wait",
      "resign",
      "stored",
    ]);
    expect(h.backend.calls.sign.filter((batch) => batch.includes(1))).toHaveLength(2);
  });

  it("fails when the app refuses to sign, showing the part and why, and Retry completes without re-sending", async () => {
    const { file } = fileOf(16 * MiB);
    const h = harness(file, (b) => {
      b.concurrency = 1;
      b.onTransfer = async (n) => {
        if (n === 2) b.apiFailures.push({ call: "signParts", status: 403 });
      };
    });
    // While part 2 is sent, the app starts refusing: the next signing call gets a 403.
    const failed = await settle(h);
    expect(failed.phase).toBe("failed");
    expect(failed.resumable).toBe(true);
    expect(failed.error).toBe("The app answered 403.");
    const failedParts = failed.parts.filter((p) => p.phase === "failed");
    expect(failedParts.map((p) => p.failure)).toEqual(["The app answered 403."]);
    expect(failed.parts.some((p) => ["uploading", "signing", "hashing"].includes(p.phase))).toBe(false);
    const sentBefore = h.backend.calls.transport.length;
    const stored = [...h.backend.parts.keys()];
    expect(stored.length).toBeGreaterThan(0);

    h.upload.retry();
    await waitFor(() => h.upload.getState().phase === "done");
    expect(h.backend.calls.create).toBe(2);
    const resent = h.backend.calls.transport.slice(sentBefore);
    expect(resent.filter((n) => stored.includes(n))).toEqual([]);
    expect(h.upload.getState().resumedParts).toBe(stored.length);
  });

  it("does not offer Retry when the file is refused for what it is", async () => {
    const { file } = fileOf(6 * MiB);
    const h = harness(file, (b) => b.apiFailures.push({ call: "complete", status: 422 }));
    const state = await settle(h);
    expect(state).toMatchObject({ phase: "failed", resumable: false });
    h.upload.retry();
    expect(h.upload.getState().phase).toBe("failed");
  });

  it("pauses when the session expires and continues once the person has signed in again", async () => {
    const { file } = fileOf(11 * MiB);
    const h = harness(file, (b) => {
      b.onTransfer = async (n) => {
        if (n === 2) b.signedIn = false;
      };
    });
    void h.upload.start();
    await waitFor(() => h.upload.getState().phase === "signed-out");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.upload.getState().phase).toBe("signed-out");
    h.backend.signedIn = true;
    await waitFor(() => h.upload.getState().phase === "done");
    expect(h.upload.getState().error).toBeUndefined();
  });

  it("keeps the caption and the file's handle with the upload while it is unfinished", async () => {
    const { file } = fileOf(11 * MiB);
    const store = new MemoryResumeStore();
    const h = harness(file, (b) => b.failures.set(2, ["hang"]), { store, caption: "First draft" });
    void h.upload.start();
    await waitFor(() => h.backend.calls.transport.includes(2));
    const id = h.upload.getState().uploadId!;
    expect(store.get(id)?.caption).toBe("First draft");
    h.upload.keepCaption("Sunset");
    h.upload.keepCaption("Sunset over the bay");
    expect(store.get(id)?.caption).toBe("First draft");
    await vi.advanceTimersByTimeAsync(500);
    expect(store.get(id)?.caption).toBe("Sunset over the bay");
    expect(h.handles.entries.get(id)).toMatchObject({ uploadId: id, userId: "user-1", handle: { name: "clip.mp4" } });
    h.upload.pause();
    h.upload.resume();
    await waitFor(() => h.upload.getState().phase === "done");
    expect(store.get(id)).toBeUndefined();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.handles.entries.size).toBe(0);
  });
});
