import { describe, expect, it } from "vitest";
import type { UploadView } from "~/shared/uploads";
import { LocalResumeStore, resumeRecordFor, type KeyValueStorage, type ResumeRecord } from "~/upload/resume-store";

class MapStorage implements KeyValueStorage {
  readonly map = new Map<string, string>();
  quotaBytes = Infinity;
  setItem(key: string, value: string) {
    const used = [...this.map.values()].reduce((sum, v) => sum + v.length, 0);
    if (used + value.length > this.quotaBytes)
      throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    this.map.set(key, value);
  }
  removeItem(key: string) {
    this.map.delete(key);
  }
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
}

const record = (uploadId: string, userId = "u1"): ResumeRecord => ({
  uploadId,
  userId,
  fingerprint: `["clip.mp4",100,1,"video/mp4"]`,
  fileName: "clip.mp4",
  size: 100,
  partSize: 5 * 1024 * 1024,
  parts: { 1: { etag: '"abc"', checksum: "x" } },
  updatedAt: 1,
});

describe("resume store", () => {
  it("writes records namespaced and versioned, and removes only its own", () => {
    const storage = new MapStorage();
    const store = new LocalResumeStore(storage);
    store.put(record("a"));
    store.put(record("b", "u2"));
    storage.setItem("unrelated", "kept");
    expect(JSON.parse(storage.map.get("feedup:upload:v1:a")!)).toEqual(record("a"));
    store.remove("a");
    expect([...storage.map.keys()].sort()).toEqual(["feedup:upload:v1:b", "unrelated"]);
    expect(storage.map.get("unrelated")).toBe("kept");
  });

  it("survives a full storage: writes are dropped, nothing throws", () => {
    const storage = new MapStorage();
    storage.quotaBytes = 10;
    const store = new LocalResumeStore(storage);
    expect(() => store.put(record("a"))).not.toThrow();
    expect(storage.map.size).toBe(0);
  });

  it("works without any storage (disabled or unavailable)", () => {
    const throwing: KeyValueStorage = {
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
      expect(() => store.remove("a")).not.toThrow();
      expect(store.get("a")).toBeUndefined();
    }
  });
});

describe("reading records back", () => {
  it("returns what was written, caption included", () => {
    const store = new LocalResumeStore(new MapStorage());
    store.put({ ...record("a"), caption: "Sunset over the bay" });
    expect(store.get("a")).toEqual({ ...record("a"), caption: "Sunset over the bay" });
    expect(store.get("b")).toBeUndefined();
  });

  it.each([
    ["not JSON", "{nope"],
    ["JSON null", "null"],
    ["another upload's record", JSON.stringify(record("other"))],
    ["a record missing its user", JSON.stringify({ ...record("a"), userId: undefined })],
    ["a caption that is not text", JSON.stringify({ ...record("a"), caption: 42 })],
    ["parts that are not an object", JSON.stringify({ ...record("a"), parts: null })],
  ])("treats %s as missing, and drops it", (_name, text) => {
    const storage = new MapStorage();
    storage.map.set("feedup:upload:v1:a", text);
    expect(new LocalResumeStore(storage).get("a")).toBeUndefined();
    expect(storage.map.has("feedup:upload:v1:a")).toBe(false);
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
      { partNumber: 1, size: 5, etag: '"e1"', checksum: "server-1" },
      { partNumber: 2, size: 5, etag: '"e2"', checksum: null },
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
        1: { etag: '"e1"', checksum: "local-1" },
        2: { etag: '"e2"' },
        3: { etag: "", checksum: "local-3" },
      },
      updatedAt: 42,
    });
    expect(resumeRecordFor(view, "user-1", [1], () => undefined, 0).parts).toEqual({
      1: { etag: '"e1"', checksum: "server-1" },
    });
  });

  it("carry the caption when there is one", () => {
    expect(resumeRecordFor(view, "user-1", [], () => undefined, 0, "Hello").caption).toBe("Hello");
    expect(resumeRecordFor(view, "user-1", [], () => undefined, 0, "")).not.toHaveProperty("caption");
  });
});
