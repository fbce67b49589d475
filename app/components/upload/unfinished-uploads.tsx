import { useState } from "react";
import { createHttpUploadApi } from "~/upload/api";
import { formatBytes } from "~/upload/format";
import { LocalResumeStore } from "~/upload/resume-store";
import type { UnfinishedUpload } from "~/upload/types";

export function UnfinishedUploads({ uploads, activeId }: { uploads: UnfinishedUpload[]; activeId?: string }) {
  const [discarded, setDiscarded] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const visible = uploads.filter((u) => !discarded.includes(u.id) && u.id !== activeId);
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
            <button
              type="button"
              onClick={() => void discard(u.id)}
              className="shrink-0 rounded-lg px-2 py-1 text-xs font-medium text-red-700 hover:bg-red-100"
            >
              Discard
            </button>
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
