import { useRevalidator } from "@remix-run/react";
import { useCallback, useState } from "react";
import type { AllowedTypes } from "~/upload/file-checks";
import type { UnfinishedUpload } from "~/shared/uploads";
import type { UploadState } from "~/upload/uploader";
import { Attachment } from "../upload/attachment";

const MAX_TEXT = 2000;

/**
 * Write a post and attach one video or photo. The Post button waits for the attachment to finish
 * uploading, so a post never points at an incomplete or refused object.
 */
export function Composer({
  userId,
  allowedTypes,
  unfinished,
}: {
  userId: string;
  allowedTypes: AllowedTypes;
  unfinished: UnfinishedUpload[];
}) {
  const revalidator = useRevalidator();
  const [text, setText] = useState("");
  const [upload, setUpload] = useState<UploadState | null>(null);
  const [media, setMedia] = useState<{ width?: number; height?: number; durationSeconds?: number }>({});
  const [attachmentKey, setAttachmentKey] = useState(0);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Until the page reloads its list, uploads finished here must not show up as unfinished.
  const [finishedIds, setFinishedIds] = useState<string[]>([]);
  const onUploadChange = useCallback((state: UploadState | null) => {
    setUpload(state);
    const id = state?.uploadId;
    if (state?.phase === "done" && id) setFinishedIds((ids) => (ids.includes(id) ? ids : [...ids, id]));
  }, []);

  const attaching = upload !== null && !["cancelled"].includes(upload.phase);
  const attachmentReady = !attaching || upload?.phase === "done";
  const length = [...text.trim()].length;
  const canPost = length >= 1 && length <= MAX_TEXT && attachmentReady && !submitting;
  const hint = !attachmentReady
    ? upload?.phase === "failed"
      ? "The attachment failed to upload: remove it or try again."
      : "You can post once the attachment has finished uploading."
    : null;

  const submit = async () => {
    setSubmitting(true);
    setError(null);
    const body = {
      text,
      ...(upload?.phase === "done" && upload.result ? { uploadId: upload.result.id, ...media } : {}),
    };
    const response = await fetch("/api/posts", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }).catch(() => null);
    setSubmitting(false);
    if (!response?.ok) {
      const message = response
        ? ((await response.json().catch(() => null)) as { error?: { message?: string } } | null)?.error?.message
        : null;
      setError(message ?? "The post could not be published. Check your connection and try again.");
      return;
    }
    setText("");
    setUpload(null);
    setMedia({});
    setAttachmentKey((k) => k + 1);
    revalidator.revalidate();
  };

  return (
    <form
      className="space-y-3"
      onSubmit={(event) => {
        event.preventDefault();
        if (canPost) void submit();
      }}
    >
      <label htmlFor="post-text" className="sr-only">
        What do you want to share?
      </label>
      <textarea
        id="post-text"
        value={text}
        onChange={(event) => setText(event.target.value)}
        placeholder="What do you want to share?"
        rows={3}
        maxLength={MAX_TEXT + 200}
        className="w-full resize-y rounded-xl border border-slate-300 px-3 py-2 text-[15px] focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200"
      />
      <Attachment
        key={attachmentKey}
        userId={userId}
        allowedTypes={allowedTypes}
        unfinished={unfinished}
        finishedIds={finishedIds}
        caption={text}
        onCaptionRestored={setText}
        onChange={onUploadChange}
        onMedia={setMedia}
      />
      {error ? (
        <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
          {error}
        </p>
      ) : null}
      <div className="flex items-center justify-between gap-3">
        <span
          className={`text-xs tabular-nums ${length > MAX_TEXT ? "font-semibold text-red-700" : "text-slate-500"}`}
          aria-live="polite"
          data-testid="character-count"
        >
          {length} / {MAX_TEXT}
        </span>
        <span className="flex items-center gap-3">
          {hint ? <span className="hidden text-xs text-slate-500 sm:inline">{hint}</span> : null}
          <button
            type="submit"
            disabled={!canPost}
            className="rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500 disabled:cursor-not-allowed disabled:bg-slate-300"
          >
            {submitting ? "Posting…" : "Post"}
          </button>
        </span>
      </div>
    </form>
  );
}
