import type { FileHandleLike } from "./file-handles";

/** A file the person chose, with its handle where the browser gives one (then it can be reopened). */
export interface ChosenFile {
  file: File;
  handle?: FileHandleLike;
}

/** File name endings the picker offers for each content type it may be asked for. */
const EXTENSIONS: Record<string, string[]> = {
  "image/jpeg": [".jpg", ".jpeg"],
  "image/png": [".png"],
  "image/webp": [".webp"],
  "image/gif": [".gif"],
  "video/mp4": [".mp4", ".m4v"],
  "video/webm": [".webm"],
  "video/quicktime": [".mov"],
};

interface PickerWindow {
  showOpenFilePicker?: (options: {
    types?: Array<{ description: string; accept: Record<string, string[]> }>;
    multiple?: boolean;
  }) => Promise<FileHandleLike[]>;
}

/** Whether this browser hands out file handles from its picker (Chromium's File System Access API). */
export function picksHandles(win: unknown = globalThis): boolean {
  return typeof (win as PickerWindow).showOpenFilePicker === "function";
}

/** The picker's `types` option for these content types (those it knows endings for). */
export function pickerTypes(accept: string[]): Array<{ description: string; accept: Record<string, string[]> }> {
  const known = Object.fromEntries(accept.filter((t) => EXTENSIONS[t]).map((t) => [t, EXTENSIONS[t]!]));
  return Object.keys(known).length > 0 ? [{ description: "Videos and photos", accept: known }] : [];
}

/** Opens the browser's picker (with a handle); null when the person closed it without choosing. */
export async function pickFileWithHandle(accept: string[], win: unknown = globalThis): Promise<ChosenFile | null> {
  const picker = (win as PickerWindow).showOpenFilePicker!;
  try {
    const [handle] = await picker({ types: pickerTypes(accept), multiple: false });
    return handle ? { file: await handle.getFile(), handle } : null;
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") return null;
    throw error;
  }
}

interface HandleItem extends DataTransferItem {
  getAsFileSystemHandle?: () => Promise<FileHandleLike | { kind: "directory" } | null>;
}

/**
 * The dropped file, with its handle where the browser gives one. Must be called during the drop
 * event: the browser empties the data transfer afterwards.
 */
export function droppedFile(data: DataTransfer): Promise<ChosenFile | null> {
  const item = [...data.items].find((i) => i.kind === "file") as HandleItem | undefined;
  const file = data.files[0];
  const pending = item?.getAsFileSystemHandle?.();
  if (!pending) return Promise.resolve(file ? { file } : null);
  return pending.then(
    async (handle) => (handle?.kind === "file" ? { file: await handle.getFile(), handle } : file ? { file } : null),
    () => (file ? { file } : null),
  );
}
