import { describe, expect, it } from "vitest";
import type { UploadView } from "~/shared/uploads";
import { LocalResumeStore, resumeRecordFor, type KeyValueStorage, type ResumeRecord } from "~/upload/resume-store";

class MapStorage implements KeyValueStorage {
  readonly map = new Map<string, string>();
  quotaBytes = Infinity;
  get length() {
    return this.map.size;
  }
  key(index: number) {
    return [...this.map.keys()][index] ?? null;
  }
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    const used = [...this.map.values()].reduce((sum, v) => sum + v.length, 0);
    if (used + value.length > this.quotaBytes)
      throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    this.map.set(key, value);
  }
  removeItem(key: string) {
    this.map.delete(key);
  }
}

const record = (uploadId: string, userId = "u1"): ResumeRecord => ({
  uploadId,
  userId,
  fingerprint: `["clip.mp4",100,1,"video/mp4"]`,
  fileName: "clip.mp4",
  size: 100,
  partSize: 5 * 1024 * 1024,
  parts: { 1: { etag: '"abc"', checksumSha256: "x" } },
  updatedAt: 1,
});

describe("resume store", () => {
  it("round-trips records, namespaced and versioned, per user", () => {
    const storage = new MapStorage();
    const store = new LocalResumeStore(storage);
    store.put(record("a"));
    store.put(record("b", "u2"));
    storage.setItem("unrelated", "kept");
    expect(store.get("a")).toEqual(record("a"));
    expect([...storage.map.keys()]).toContain("feedup:upload:v1:a");
    expect(store.list("u1").map((r) => r.uploadId)).toEqual(["a"]);
    store.remove("a");
    expect(store.get("a")).toBeUndefined();
    expect(storage.getItem("unrelated")).toBe("kept");
  });

  it("treats corrupt or foreign entries as missing and drops them", () => {
    const storage = new MapStorage();
    storage.setItem("feedup:upload:v1:broken", "{not json");
    storage.setItem("feedup:upload:v1:wrong-shape", JSON.stringify({ uploadId: 5 }));
    const store = new LocalResumeStore(storage);
    expect(store.get("broken")).toBeUndefined();
    expect(store.list("u1")).toEqual([]);
    expect(storage.map.size).toBe(0);
  });

  it("survives a full storage: writes are dropped, nothing throws", () => {
    const storage = new MapStorage();
    storage.quotaBytes = 10;
    const store = new LocalResumeStore(storage);
    expect(() => store.put(record("a"))).not.toThrow();
    expect(store.get("a")).toBeUndefined();
  });

  it("works without any storage (disabled or unavailable)", () => {
    const throwing: KeyValueStorage = {
      get length(): number {
        throw new DOMException("denied", "SecurityError");
      },
      key: () => {
        throw new DOMException("denied", "SecurityError");
      },
      getItem: () => {
        throw new DOMException("denied", "SecurityError");
      },
      setItem: () => {
        throw new DOMException("denied", "SecurityError");
      },
      removeItem: () => {
        throw new DOMException("denied", "SecurityError");
      },
    };
    for (const store of [new LocalResumeStore(throwing), new LocalResumeStore(undefined)]) {
      expect(() => store.put(record("a"))).not.toThrow();
      expect(store.get("a")).toBeUndefined();
      expect(store.list("u1")).toEqual([]);
      expect(() => store.remove("a")).not.toThrow();
    }
  });
});

describe("resume records", () => {
  const view = {
    id: "up-1",
    fingerprint: "fp",
    fileName: "clip.mp4",
    size: 12,
    partSize: 5,
    completedParts: [
      { partNumber: 1, size: 5, etag: '"e1"', checksumSha256: "server-1" },
      { partNumber: 2, size: 5, etag: '"e2"', checksumSha256: null },
    ],
  } as UploadView;

  it("lists the done parts with the server's ETag and this file's checksum, else the server's", () => {
    const local: Record<number, string> = { 3: "local-3", 1: "local-1" };
    expect(resumeRecordFor(view, "user-1", [1, 2, 3], (n) => local[n], 42)).toEqual({
      uploadId: "up-1",
      userId: "user-1",
      fingerprint: "fp",
      fileName: "clip.mp4",
      size: 12,
      partSize: 5,
      parts: {
        1: { etag: '"e1"', checksumSha256: "local-1" },
        2: { etag: '"e2"' },
        3: { etag: "", checksumSha256: "local-3" },
      },
      updatedAt: 42,
    });
    expect(resumeRecordFor(view, "user-1", [1], () => undefined, 0).parts).toEqual({
      1: { etag: '"e1"', checksumSha256: "server-1" },
    });
  });
});
