import { IDBFactory } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { fileFingerprint } from "~/upload/hash";
import { IndexedDbHandleStore, reopenKeptFile, type FileHandleLike, type KeptHandle } from "~/upload/file-handles";

/** IndexedDB keeps structured clones: a stand-in handle is plain data here (real handles clone as handles). */
const kept = (uploadId: string): KeptHandle => ({
  uploadId,
  userId: "user-1",
  fingerprint: "fp",
  handle: { kind: "file", name: "clip.mp4" } as FileHandleLike,
  savedAt: 1,
});

describe("the handle store", () => {
  it("keeps handles by upload, across store instances (a reload), and forgets them", async () => {
    const factory = new IDBFactory();
    await new IndexedDbHandleStore(factory).put(kept("a"));
    await new IndexedDbHandleStore(factory).put(kept("b"));
    const reloaded = new IndexedDbHandleStore(factory);
    expect(await reloaded.get("a")).toEqual(kept("a"));
    await reloaded.remove("a");
    expect(await reloaded.get("a")).toBeUndefined();
    expect(await reloaded.get("b")).toEqual(kept("b"));
  });

  it("treats an entry it cannot read as missing, and drops it", async () => {
    const factory = new IDBFactory();
    const store = new IndexedDbHandleStore(factory);
    await store.put({ ...kept("a"), handle: { kind: "directory" } as unknown as FileHandleLike });
    await store.put({ ...kept("b"), userId: 7 } as unknown as KeptHandle);
    expect(await store.get("a")).toBeUndefined();
    expect(await store.get("b")).toBeUndefined();
    const raw = await new Promise<unknown>((resolve) => {
      const open = factory.open("feedup", 1);
      open.onsuccess = () => {
        const read = open.result.transaction("file-handles").objectStore("file-handles").getAll();
        read.onsuccess = () => resolve(read.result);
      };
    });
    expect(raw).toEqual([]);
  });

  it("keeps nothing, and never throws, without IndexedDB or with a broken one", async () => {
    const broken = {
      open: () => {
        throw new DOMException("denied", "SecurityError");
      },
    } as unknown as IDBFactory;
    for (const store of [new IndexedDbHandleStore(undefined), new IndexedDbHandleStore(broken)]) {
      await expect(store.put(kept("a"))).resolves.toBeUndefined();
      await expect(store.get("a")).resolves.toBeUndefined();
      await expect(store.remove("a")).resolves.toBeUndefined();
    }
  });
});

describe("reopening a kept file", () => {
  const file = new File(["bytes"], "clip.mp4", { type: "video/mp4", lastModified: 5 });
  const handle = (overrides: Partial<FileHandleLike> = {}): FileHandleLike => ({
    kind: "file",
    name: "clip.mp4",
    getFile: async () => file,
    ...overrides,
  });
  const entry = (h: FileHandleLike, fingerprint = fileFingerprint(file)) => ({ ...kept("a"), handle: h, fingerprint });

  it("asks only for permission, and only when it is not granted already", async () => {
    const asked: string[] = [];
    const granted = handle({
      queryPermission: async () => "granted",
      requestPermission: async () => (asked.push("x"), "granted"),
    });
    expect(await reopenKeptFile(entry(granted))).toEqual({ file });
    expect(asked).toEqual([]);
    const prompt = handle({
      queryPermission: async () => "prompt",
      requestPermission: async () => (asked.push("x"), "granted"),
    });
    expect(await reopenKeptFile(entry(prompt))).toEqual({ file });
    expect(asked).toEqual(["x"]);
  });

  it("says what to do when reading is refused, the file is gone or it changed", async () => {
    const denied = handle({ queryPermission: async () => "prompt", requestPermission: async () => "denied" });
    expect(await reopenKeptFile(entry(denied))).toEqual({
      problem: "Reading the file was not allowed: choose “clip.mp4” to continue.",
    });
    const gone = handle({ getFile: () => Promise.reject(new DOMException("gone", "NotFoundError")) });
    expect(await reopenKeptFile(entry(gone))).toEqual({
      problem: "“clip.mp4” can no longer be opened (moved or deleted?): choose “clip.mp4” to continue.",
    });
    expect(await reopenKeptFile(entry(handle(), "another fingerprint"))).toEqual({
      problem: "“clip.mp4” has changed since this upload began: discard it and share the file again.",
    });
  });
});
