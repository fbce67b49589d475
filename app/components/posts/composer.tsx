import { useRevalidator } from "@remix-run/react";
import { useCallback, useMemo, useRef, useState } from "react";
import { browserProbeEnvironment, probeMedia, type MediaFacts } from "~/media/probe";
import { countCharacters, NOTHING_TO_POST, POST_TEXT_LIMIT, POSTER, postTextProblem } from "~/shared/posts";
import type { UnfinishedUpload } from "~/shared/uploads";
import type { AllowedTypes } from "~/upload/file-checks";
import type { UploadState } from "~/upload/uploader";
import { Attachment } from "../upload/attachment";
import { useFileUpload } from "../upload/use-file-upload";
import { posterFile, posterUploadApi, settleWithin } from "./poster-api";

/** What the chosen file is, as the probe measured it: display hints, and a video's poster frame. */
interface Inspected {
  facts: MediaFacts;
  poster: File | null;
}

/**
 * Write a post and attach one video or photo. Chosen files are opened in the browser first (the
 * probe): one that cannot be played is refused before any byte is sent. The Post button waits for the
 * attachment to finish uploading, and says why it is disabled.
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
  const [inspected, setInspected] = useState<Inspected | null>(null);
  const [checking, setChecking] = useState(false);
  const [attachmentKey, setAttachmentKey] = useState(0);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const posterApi = useMemo(posterUploadApi, []);
  const posterUpload = useFileUpload(userId, posterApi);
  // Until the page reloads its list, uploads finished here must not show up as unfinished.
  const [finishedIds, setFinishedIds] = useState<string[]>([]);
  const onUploadChange = useCallback((state: UploadState | null) => {
    setUpload(state);
    const id = state?.uploadId;
    if (state?.phase === "done" && id) setFinishedIds((ids) => (ids.includes(id) ? ids : [...ids, id]));
  }, []);

  // Posters are written in the first type the server takes that the browser can encode.
  const posterTypes = POSTER.types.filter((type) => type in allowedTypes);
  const inspect = async (file: File): Promise<string | null> => {
    const result = await probeMedia(file, browserProbeEnvironment, {
      poster: { maxWidth: POSTER.maxWidth, types: posterTypes },
    });
    if (!result.ok) return result.message;
    setInspected({ facts: result.facts, poster: result.poster ? posterFile(result.poster, file) : null });
    return null;
  };

  const attached = upload !== null && upload.phase !== "cancelled";
  const attachmentReady = !attached || upload.phase === "done";
  const count = countCharacters(text);
  const textProblem = postTextProblem(text, attached);
  const canPost = !textProblem && attachmentReady && !checking && !submitting;
  // Why Post is disabled (or, with media and no text, that none is needed): shown at every width,
  // and the button's accessible description.
  const reason = checking
    ? "Checking the file…"
    : textProblem && textProblem !== NOTHING_TO_POST
      ? textProblem
      : upload?.phase === "failed"
        ? upload.resumable
          ? "The attachment failed to upload: retry or discard it."
          : "This attachment cannot be posted: discard it or choose another file."
        : !attachmentReady
          ? "You can post once the attachment has finished uploading."
          : (textProblem ??
            (attached && count === 0 ? "No caption needed: the attachment will be posted on its own." : null));

  const submit = async () => {
    setSubmitting(true);
    setError(null);
    const media = upload?.phase === "done" && upload.result ? upload.result : null;
    let posterUploadId: string | undefined;
    if (media?.contentType.startsWith("video/") && inspected?.poster) {
      // The poster goes up when the post does, so an attachment that is removed leaves none behind.
      // Without it the post still works (the player shows the video's first frame): one that is not
      // stored within POSTER.waitMs is given up rather than holding the post back.
      const poster = posterUpload.start({ file: inspected.poster }, "");
      const state = await settleWithin(poster.start(), POSTER.waitMs);
      if (state?.phase === "done") posterUploadId = state.result?.id;
      else await poster.cancel();
    }
    const body = {
      text,
      ...(media ? { uploadId: media.id, ...inspected?.facts, ...(posterUploadId ? { posterUploadId } : {}) } : {}),
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
    setInspected(null);
    posterUpload.reset();
    setAttachmentKey((k) => k + 1);
    revalidator.revalidate();
    // The Post button just became disabled: focus goes back to writing, not to the page's start.
    textarea.current?.focus();
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
        ref={textarea}
        value={text}
        onChange={(event) => setText(event.target.value)}
        placeholder="What do you want to share? (Optional with a video or photo)"
        rows={3}
        aria-describedby="post-text-count"
        aria-invalid={count > POST_TEXT_LIMIT}
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
        inspect={inspect}
        onChecking={setChecking}
      />
      {error ? (
        <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
          {error}
        </p>
      ) : null}
      <div className="flex items-center gap-3">
        <span
          id="post-text-count"
          className={`shrink-0 text-xs tabular-nums ${count > POST_TEXT_LIMIT ? "font-semibold text-red-700" : "text-slate-500"}`}
          data-testid="character-count"
        >
          {count} / {POST_TEXT_LIMIT}
        </span>
        {reason ? (
          <span
            id="post-reason"
            role="status"
            data-testid="post-reason"
            className={`min-w-0 flex-1 text-right text-xs ${textProblem && textProblem !== NOTHING_TO_POST ? "font-semibold text-red-700" : "text-slate-500"}`}
          >
            {reason}
          </span>
        ) : (
          <span className="flex-1" />
        )}
        <button
          type="submit"
          disabled={!canPost}
          aria-describedby={reason ? "post-reason" : undefined}
          className="shrink-0 rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500 disabled:cursor-not-allowed disabled:bg-slate-300"
        >
          {submitting ? "Posting…" : "Post"}
        </button>
      </div>
    </form>
  );
}
