import { expect, vi } from "vitest";
import type { AttemptEntry, TimelineEntry } from "~/upload/attempt-log";
import type { SliceHasher } from "~/upload/hash";
import { MemoryResumeStore } from "~/upload/resume-store";
import type { TabChannel } from "~/upload/tab-presence";
import { FileUpload, type UploadState } from "~/upload/uploader";
import {
  FakeChannelHub,
  FakeLocks,
  FakeOnline,
  FakeUploadBackend,
  MemoryFile,
  MemoryHandleStore,
  memoryHasher,
  noWakeLock,
} from "./fake-upload-backend.js";

/** A FileUpload wired to the in-memory backend, for the uploader's unit tests (with vitest's fake timers). */
export const MiB = 1024 * 1024;

/** A file of `size` bytes whose every 4 KiB differs (through a typed view: Buffer writes are far slower). */
export function fileOf(size: number, seed = 1): { file: File; bytes: Buffer } {
  const bytes = Buffer.alloc(size);
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, Math.floor(size / 4));
  for (let i = 0; i < words.length; i += 1024) words[i] = (i * 2654435761 + seed) >>> 0;
  return { file: new MemoryFile(bytes, "clip.mp4", { type: "video/mp4", lastModified: 1_700_000_000_000 }), bytes };
}

export interface Harness {
  backend: FakeUploadBackend;
  online: FakeOnline;
  locks: FakeLocks;
  store: MemoryResumeStore;
  upload: FileUpload;
  states: UploadState[];
  hashes: number[];
  handles: MemoryHandleStore;
}

export function harness(
  file: File,
  setup: (backend: FakeUploadBackend) => void = () => undefined,
  options: {
    online?: boolean;
    locks?: FakeLocks;
    store?: MemoryResumeStore;
    hasher?: SliceHasher;
    backend?: FakeUploadBackend;
    channel?: TabChannel;
    caption?: string;
  } = {},
): Harness {
  const backend = options.backend ?? new FakeUploadBackend(() => Date.now());
  setup(backend);
  const online = new FakeOnline(options.online ?? true);
  const locks = options.locks ?? new FakeLocks();
  const store = options.store ?? new MemoryResumeStore();
  const hashes: number[] = [];
  const handles = new MemoryHandleStore();
  const handle = { kind: "file" as const, name: file.name, getFile: async () => file };
  const upload = new FileUpload(
    file,
    {
      api: backend.api,
      transport: backend.transport,
      store,
      hasher: async (blob, algorithm) => {
        hashes.push(blob.size);
        return (options.hasher ?? memoryHasher)(blob, algorithm);
      },
      userId: "user-1",
      online,
      locks,
      wakeLock: noWakeLock,
      random: () => 0.5,
      probe: async () => online.online,
      channel: options.channel ?? new FakeChannelHub().tab(),
      handles,
    },
    { handle, caption: options.caption },
  );
  const states: UploadState[] = [];
  upload.subscribe((s) => states.push(s));
  return { backend, online, locks, store, upload, states, hashes, handles };
}

/** Advances fake time, and lets real I/O (Web Crypto runs on the thread pool) complete in between. */
export async function tick(ms: number): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await vi.advanceTimersByTimeAsync(ms);
}

/** Drives fake time forward until the upload settles. */
export async function settle(h: Harness, stepMs = 250, maxSteps = 2000): Promise<UploadState> {
  let done = false;
  const result = h.upload.start().then((s) => {
    done = true;
    return s;
  });
  for (let i = 0; i < maxSteps && !done; i += 1) await tick(stepMs);
  return result;
}

export const waitFor = async (condition: () => boolean, stepMs = 50) => {
  for (let i = 0; i < 2000 && !condition(); i += 1) await tick(stepMs);
  expect(condition()).toBe(true);
};

/** The failed part attempts in an upload's timeline, in order. */
export const failedAttempts = (state: UploadState) =>
  state.timeline.entries.filter((e): e is AttemptEntry => e.kind === "attempt" && e.outcome === "failed");

/** The timeline's entries of one kind. */
export const entriesOf = <K extends TimelineEntry["kind"]>(state: UploadState, kind: K) =>
  state.timeline.entries.filter((e): e is Extract<TimelineEntry, { kind: K }> => e.kind === kind);
