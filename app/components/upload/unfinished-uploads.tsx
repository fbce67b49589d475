import { useRef, useState } from "react";
import { createHttpUploadApi } from "~/upload/api";
import { formatBytes } from "~/shared/format";
import { isSameFile } from "~/upload/hash";
import { LocalResumeStore } from "~/upload/resume-store";
import type { UnfinishedUpload } from "~/shared/uploads";

export interface UnfinishedUploadsProps {
  uploads: UnfinishedUpload[];
  /** Uploads not to list: the one running now, and those finished on this page. */
  hiddenIds: string[];
  /** While another upload runs, continuing one more waits. */
  disabled?: boolean;
  /** Called with the file the person chose to continue an upload; it is the same file. */
  onContinue: (file: File) => void;
}

/**
 * Uploads the server still holds open for this person. The browser cannot reopen a file by itself, so
 * continuing one means choosing the same file again; discarding aborts it on the server.
 */
export function UnfinishedUploads({ uploads, hiddenIds, disabled, onContinue }: UnfinishedUploadsProps) {
  const [discarded, setDiscarded] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const inputs = useRef(new Map<string, HTMLInputElement>());
  const visible = uploads.filter((u) => !discarded.includes(u.id) && !hiddenIds.includes(u.id));
  if (visible.length === 0) return null;
  const discard = async (id: string) => {
    setError(null);
    try {
      await createHttpUploadApi().abort(id);
      LocalResumeStore.fromWindow().remove(id);
      setDiscarded((d) => [...d, id]);
    } catch (e) {
      setError(e instanceof Error ? e.message : "Could not discard the upload.");
    }
  };
  const chosen = (upload: UnfinishedUpload, file: File) => {
    if (!isSameFile(file, upload.fingerprint)) {
      setError(
        `“${file.name}” is not the file this upload came from: choose “${upload.fileName}” (${formatBytes(upload.size)}) to continue it.`,
      );
      return;
    }
    setError(null);
    onContinue(file);
  };
  return (
    <section
      aria-label="Unfinished uploads"
      className="rounded-xl border border-amber-200 bg-amber-50 p-3 text-sm"
      data-testid="unfinished-uploads"
    >
      <h2 className="font-semibold text-amber-900">Unfinished uploads — choose the same file to continue</h2>
      <ul className="mt-2 space-y-2">
        {visible.map((u) => (
          <li key={u.id} className="flex items-center justify-between gap-3">
            <span className="min-w-0">
              <span className="block truncate font-medium text-slate-800">{u.fileName}</span>
              <span className="text-xs text-slate-600">
                {formatBytes(u.completedBytes)} of {formatBytes(u.size)} sent
              </span>
            </span>
            <span className="flex shrink-0 items-center gap-1">
              <button
                type="button"
                disabled={disabled}
                onClick={() => inputs.current.get(u.id)?.click()}
                className="rounded-lg px-2 py-1 text-xs font-semibold text-indigo-700 hover:bg-indigo-100 disabled:cursor-not-allowed disabled:opacity-50"
              >
                Continue…
              </button>
              <input
                ref={(element) => void (element ? inputs.current.set(u.id, element) : inputs.current.delete(u.id))}
                type="file"
                accept={u.contentType}
                className="sr-only"
                tabIndex={-1}
                aria-label={`Continue uploading ${u.fileName}`}
                onChange={(event) => {
                  const file = event.target.files?.[0];
                  event.target.value = "";
                  if (file) chosen(u, file);
                }}
              />
              <button
                type="button"
                onClick={() => void discard(u.id)}
                className="rounded-lg px-2 py-1 text-xs font-medium text-red-700 hover:bg-red-100"
              >
                Discard
              </button>
            </span>
          </li>
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
