import { useEffect, useRef, useState } from "react";
import { formatBytes } from "~/shared/format";
import type { UnfinishedUpload } from "~/shared/uploads";
import { createHttpUploadApi } from "~/upload/api";
import { IndexedDbHandleStore, reopenKeptFile, type KeptHandle } from "~/upload/file-handles";
import type { ChosenFile } from "~/upload/file-source";
import { isSameFile } from "~/upload/hash";
import { LocalResumeStore } from "~/upload/resume-store";
import { HiddenFileInput } from "./hidden-file-input";

export interface UnfinishedUploadsProps {
  userId: string;
  uploads: UnfinishedUpload[];
  /** Uploads not to list: the one running now, and those finished on this page. */
  hiddenIds: string[];
  /** While another upload runs, continuing one more waits. */
  disabled?: boolean;
  /** Called with the same file (and its handle, when kept) and the draft caption saved with the upload. */
  onContinue: (chosen: ChosenFile, draftCaption?: string) => void;
}

/** The handles kept with these uploads (Chromium keeps them in IndexedDB), by upload id. */
function useKeptHandles(userId: string, ids: string[]): Map<string, KeptHandle> {
  const [kept, setKept] = useState(new Map<string, KeptHandle>());
  const key = ids.join(",");
  useEffect(() => {
    let live = true;
    const store = IndexedDbHandleStore.fromWindow();
    void Promise.all(
      key
        .split(",")
        .filter(Boolean)
        .map((id) => store.get(id)),
    ).then((entries) => {
      const mine = entries.filter((e): e is KeptHandle => e?.userId === userId);
      if (live) setKept(new Map(mine.map((e) => [e.uploadId, e])));
    });
    return () => void (live = false);
  }, [key, userId]);
  return kept;
}

/** The caption saved with upload `id`, if it is this user's. */
function draftCaption(id: string, userId: string): string | undefined {
  const record = LocalResumeStore.fromWindow().get(id);
  return record?.userId === userId ? record.caption : undefined;
}

/** Why `file` cannot continue `upload`, or null when it is the same file. */
function notTheSameFile(upload: UnfinishedUpload, file: File): string | null {
  if (isSameFile(file, upload.fingerprint)) return null;
  return `“${file.name}” is not the file this upload came from: choose “${upload.fileName}” (${formatBytes(upload.size)}) to continue it.`;
}

/** Aborts upload `id` on the server and forgets what this browser kept of it; a problem in words, or null. */
async function discardUpload(id: string): Promise<string | null> {
  try {
    await createHttpUploadApi().abort(id);
    LocalResumeStore.fromWindow().remove(id);
    await IndexedDbHandleStore.fromWindow().remove(id);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : "Could not discard the upload.";
  }
}

/**
 * Uploads the server still holds open for this person. Where the file's handle was kept, "Continue"
 * asks only for permission to read it again; elsewhere continuing means choosing the same file.
 * Discarding aborts it on the server. The draft caption saved with an upload comes back with it.
 */
export function UnfinishedUploads({ userId, uploads, hiddenIds, disabled, onContinue }: UnfinishedUploadsProps) {
  const [discarded, setDiscarded] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const visible = uploads.filter((u) => !discarded.includes(u.id) && !hiddenIds.includes(u.id));
  const kept = useKeptHandles(
    userId,
    visible.map((u) => u.id),
  );
  if (visible.length === 0) return null;

  const discard = async (id: string) => {
    setError(null);
    const problem = await discardUpload(id);
    if (problem) setError(problem);
    else setDiscarded((d) => [...d, id]);
  };
  const chosen = (upload: UnfinishedUpload, file: File) => {
    const problem = notTheSameFile(upload, file);
    setError(problem);
    if (!problem) onContinue({ file }, draftCaption(upload.id, userId));
  };
  const reopen = async (upload: UnfinishedUpload, entry: KeptHandle) => {
    const reopened = await reopenKeptFile(entry);
    if ("problem" in reopened) return setError(reopened.problem);
    setError(null);
    onContinue({ file: reopened.file, handle: entry.handle }, draftCaption(upload.id, userId));
  };

  return (
    <section
      aria-label="Unfinished uploads"
      className="rounded-xl border border-amber-200 bg-amber-50 p-3 text-sm"
      data-testid="unfinished-uploads"
    >
      <h2 className="font-semibold text-amber-900">
        {visible.every((u) => kept.has(u.id))
          ? "Unfinished uploads"
          : "Unfinished uploads — choose the same file to continue"}
      </h2>
      <ul className="mt-2 space-y-2">
        {visible.map((u) => (
          <UnfinishedRow
            key={u.id}
            upload={u}
            kept={kept.get(u.id)}
            disabled={disabled}
            onReopen={(entry) => void reopen(u, entry)}
            onDiscard={() => void discard(u.id)}
            onFile={(file) => chosen(u, file)}
          />
        ))}
      </ul>
      {error ? (
        <p role="alert" className="mt-2 text-xs text-red-700">
          {error}
        </p>
      ) : null}
    </section>
  );
}

function UnfinishedRow(props: {
  upload: UnfinishedUpload;
  kept?: KeptHandle;
  disabled?: boolean;
  /** Continue with the kept handle (no file dialog). */
  onReopen: (kept: KeptHandle) => void;
  onDiscard: () => void;
  /** The file chosen to continue, where no handle was kept. */
  onFile: (file: File) => void;
}) {
  const { upload: u, kept } = props;
  const input = useRef<HTMLInputElement>(null);
  return (
    <li className="flex items-center justify-between gap-3">
      <span className="min-w-0">
        <span className="block truncate font-medium text-slate-800">{u.fileName}</span>
        <span className="text-xs text-slate-600">
          {formatBytes(u.completedBytes)} of {formatBytes(u.size)} sent
        </span>
      </span>
      <span className="flex shrink-0 items-center gap-1">
        <button
          type="button"
          disabled={props.disabled}
          onClick={() => (kept ? props.onReopen(kept) : input.current?.click())}
          className="rounded-lg px-2 py-1 text-xs font-semibold text-indigo-700 hover:bg-indigo-100 disabled:cursor-not-allowed disabled:opacity-50"
        >
          {kept ? "Continue" : "Continue…"}
        </button>
        <HiddenFileInput
          inputRef={input}
          accept={u.contentType}
          label={`Continue uploading ${u.fileName}`}
          onFile={props.onFile}
        />
        <button
          type="button"
          onClick={props.onDiscard}
          className="rounded-lg px-2 py-1 text-xs font-medium text-red-700 hover:bg-red-100"
        >
          Discard
        </button>
      </span>
    </li>
  );
}
