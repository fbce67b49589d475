import { AttemptLog } from "~/upload/attempt-log";
import { describe, expect, it } from "vitest";
import { figuresLine, percentShown, statusLine } from "~/upload/status-text";
import type { PartState, UploadState } from "~/upload/upload-state";

const MiB = 1024 * 1024;
const NOW = 1_000_000;

const part = (partNumber: number, phase: PartState["phase"]): PartState => ({
  partNumber,
  size: 8 * MiB,
  phase,
  sentBytes: 0,
  attempts: 1,
});

function state(changes: Partial<UploadState> = {}): UploadState {
  return {
    phase: "uploading",
    fileName: "clip.mp4",
    totalBytes: 64 * MiB,
    confirmedBytes: 16 * MiB,
    inFlightBytes: 4 * MiB,
    displayedBytes: 20 * MiB,
    speedBps: 2 * MiB,
    etaSeconds: 24,
    moving: true,
    updatedAt: NOW,
    parts: [part(1, "done"), part(2, "done"), part(3, "uploading"), part(4, "pending")],
    timeline: new AttemptLog(),
    timelineSize: 0,
    resumedParts: 0,
    resumable: false,
    ...changes,
  };
}

describe("the status line", () => {
  it("counts down to the waiting phase's next probe", () => {
    const wait = { for: "storage" as const, reason: "storage error 500", until: NOW + 39_200 };
    expect(statusLine(state({ phase: "waiting", wait }))).toBe("Can't reach storage — trying again in 40 s");
    expect(statusLine(state({ phase: "waiting", wait: { ...wait, for: "app" } }))).toBe(
      "Can't reach Feedup — trying again in 40 s",
    );
    expect(statusLine(state({ phase: "waiting", wait: { ...wait, until: NOW - 1 } }))).toBe(
      "Can't reach storage — trying again now",
    );
    expect(statusLine(state({ phase: "reconnecting", wait: { ...wait, for: "network", until: NOW + 8000 } }))).toBe(
      "Reconnecting — trying again in 8 s",
    );
  });

  it("tells a signed-out, failed, offline or paused upload in words", () => {
    expect(statusLine(state({ phase: "signed-out" }))).toBe("Signed out — sign in again to continue");
    expect(statusLine(state({ phase: "failed", error: "The app answered 403." }))).toBe(
      "Failed: The app answered 403.",
    );
    expect(statusLine(state({ phase: "offline" }))).toBe("Offline — will continue when the connection is back");
    expect(statusLine(state({ phase: "paused" }))).toBe("Paused");
  });

  it("follows another tab's upload, and says when it stopped", () => {
    const elsewhere = { phase: "uploading" as const, percent: 45, stopped: false };
    expect(statusLine(state({ phase: "locked", elsewhere }))).toBe("Uploading in another tab — 45%");
    expect(statusLine(state({ phase: "locked", elsewhere: { ...elsewhere, phase: "paused", stopped: true } }))).toBe(
      "Paused in another tab",
    );
    expect(statusLine(state({ phase: "locked", elsewhere: { ...elsewhere, stopped: true } }))).toBe(
      "The other tab stopped uploading",
    );
  });

  it("says how many parts are being retried", () => {
    const parts = [part(1, "retrying"), part(2, "retrying"), part(3, "uploading")];
    expect(statusLine(state({ parts }))).toBe("Uploading — retrying 2 parts");
  });
});

describe("the figures line", () => {
  it("shows the confirmed-bytes speed and the time left while bytes move", () => {
    expect(figuresLine(state())).toBe("20 MiB of 64 MiB · 2 MiB/s · 24 s left");
    expect(figuresLine(state({ etaSeconds: null }))).toBe("20 MiB of 64 MiB · 2 MiB/s");
    expect(figuresLine(state({ speedBps: null, etaSeconds: null }))).toBe("20 MiB of 64 MiB · measuring speed…");
  });

  it("says what it waits for instead of a speed and an ETA while nothing moves, counting only stored bytes", () => {
    const parts = [part(1, "done"), part(37, "stalled"), part(38, "retrying")];
    const stored = { confirmedBytes: 15 * MiB };
    expect(figuresLine(state({ ...stored, moving: false, parts }))).toBe(
      "15 MiB of 64 MiB stored · waiting for part 37",
    );
    expect(figuresLine(state({ ...stored, phase: "reconnecting" }))).toBe("15 MiB of 64 MiB stored · reconnecting");
    expect(figuresLine(state({ ...stored, phase: "waiting" }))).toBe("15 MiB of 64 MiB stored · waiting for storage");
    expect(figuresLine(state({ ...stored, phase: "offline" }))).toBe(
      "15 MiB of 64 MiB stored · waiting for the network",
    );
    expect(figuresLine(state({ ...stored, phase: "paused" }))).toBe("15 MiB of 64 MiB stored");
  });

  it("never shows a non-finite number or an hour count past 99", () => {
    // The figures come from the rate module, which never yields these; the text holds regardless.
    for (const etaSeconds of [99 * 3600, 59, 3599, 3600]) {
      const text = figuresLine(state({ etaSeconds }));
      expect(text).not.toMatch(/NaN|Infinity|e\+/);
      const hours = Number(text.match(/(\d+) h/)?.[1] ?? 0);
      expect(hours).toBeLessThanOrEqual(99);
    }
  });
});

describe("the percentage", () => {
  it("stops at 99 until the upload is done, and follows the other tab when that one drives it", () => {
    expect(percentShown(state())).toBe(31);
    expect(percentShown(state({ displayedBytes: 64 * MiB }))).toBe(99);
    expect(percentShown(state({ phase: "done", displayedBytes: 64 * MiB }))).toBe(100);
    const elsewhere = { phase: "uploading" as const, percent: 45, stopped: false };
    expect(percentShown(state({ phase: "locked", elsewhere }))).toBe(45);
  });
});
