import { describe, expect, it } from "vitest";
import { droppedFile, pickFileWithHandle, pickerTypes, picksHandles } from "~/upload/file-source";

const file = new File(["x"], "clip.mp4", { type: "video/mp4" });
const handle = { kind: "file" as const, name: "clip.mp4", getFile: async () => file };

/** A DataTransfer as a drop event carries it. */
function dropOf(items: Array<Partial<DataTransferItem> & Record<string, unknown>>, files: File[]): DataTransfer {
  return { items, files } as unknown as DataTransfer;
}

describe("choosing a file", () => {
  it("knows whether the browser's picker gives handles", () => {
    expect(picksHandles({ showOpenFilePicker: () => undefined })).toBe(true);
    expect(picksHandles({})).toBe(false);
  });

  it("offers the allowed types with their file name endings", () => {
    expect(pickerTypes(["video/mp4", "image/png", "application/x-unknown"])).toEqual([
      { description: "Videos and photos", accept: { "video/mp4": [".mp4", ".m4v"], "image/png": [".png"] } },
    ]);
    expect(pickerTypes(["application/x-unknown"])).toEqual([]);
  });

  it("returns the chosen file with its handle, and nothing when the picker is closed", async () => {
    const picker = { showOpenFilePicker: async () => [handle] };
    expect(await pickFileWithHandle(["video/mp4"], picker)).toEqual({ file, handle });
    const closed = {
      showOpenFilePicker: () => Promise.reject(new DOMException("The user aborted a request.", "AbortError")),
    };
    expect(await pickFileWithHandle(["video/mp4"], closed)).toBeNull();
  });

  it("takes a dropped file's handle where the browser gives one, else the file alone", async () => {
    const withHandle = dropOf([{ kind: "file", getAsFileSystemHandle: async () => handle }], [file]);
    expect(await droppedFile(withHandle)).toEqual({ file, handle });
    expect(await droppedFile(dropOf([{ kind: "file" }], [file]))).toEqual({ file });
    const folder = dropOf([{ kind: "file", getAsFileSystemHandle: async () => ({ kind: "directory" }) }], [file]);
    expect(await droppedFile(folder)).toEqual({ file });
    const failing = dropOf([{ kind: "file", getAsFileSystemHandle: () => Promise.reject(new Error("x")) }], [file]);
    expect(await droppedFile(failing)).toEqual({ file });
    expect(await droppedFile(dropOf([{ kind: "string" }], []))).toBeNull();
  });
});
