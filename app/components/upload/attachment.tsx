import { useEffect, useRef, useState, type DragEvent } from "react";
import { checkFile, describeAllowedTypes, type AllowedTypes } from "~/upload/file-checks";
import type { UploadState } from "~/upload/uploader";
import type { UnfinishedUpload } from "~/shared/uploads";
import { DropZone } from "./drop-zone";
import { UnfinishedUploads } from "./unfinished-uploads";
import { UploadProgress } from "./upload-progress";
import { useFileUpload } from "./use-file-upload";

export interface AttachmentProps {
  userId: string;
  allowedTypes: AllowedTypes;
  /** Uploads left unfinished earlier, which the same file continues. */
  unfinished: UnfinishedUpload[];
  /** Uploads finished on this page, no longer to be listed as unfinished. */
  finishedIds: string[];
  /** Told about every state change, so a form can enable its submit button when the upload is done. */
  onChange?: (state: UploadState | null) => void;
  /**
   * Checks a file before any byte of it is sent (e.g. that a browser can play it): resolves to why it
   * is refused, or null. The attachment says "Checking…" meanwhile.
   */
  inspect?: (file: File) => Promise<string | null>;
  /** Told while a chosen file is being inspected. */
  onChecking?: (checking: boolean) => void;
}

const ONE_ATTACHMENT = "One attachment per post — remove the current one first.";

/** Attach one video or photo: checks it, previews it and uploads it straight to storage. */
export function Attachment({
  userId,
  allowedTypes,
  unfinished,
  finishedIds,
  onChange,
  inspect,
  onChecking,
}: AttachmentProps) {
  const upload = useFileUpload(userId);
  const [problem, setProblem] = useState<string | null>(null);
  const [checking, setChecking] = useState<string | null>(null);
  const [preview, setPreview] = useState<{ url: string; kind: "image" | "video"; file: File } | null>(null);
  // Where focus goes when the control that had it goes away: the attachment once chosen, the
  // "choose a file" button once removed.
  const region = useRef<HTMLDivElement>(null);
  const [focusChooser, setFocusChooser] = useState(false);
  const latest = useRef(0);

  // The object URL lives as long as this preview: revoked when replaced or unmounted.
  useEffect(() => () => void (preview && URL.revokeObjectURL(preview.url)), [preview]);
  useEffect(() => onChange?.(upload.state), [upload.state, onChange]);
  useEffect(() => onChecking?.(checking !== null), [checking, onChecking]);

  const state = upload.state;
  const busy = state !== null && !["done", "cancelled", "failed", "locked"].includes(state.phase);
  const attached = state !== null && state.phase !== "cancelled";

  const choose = async (file: File) => {
    const attempt = ++latest.current;
    const hadFocus = region.current?.contains(document.activeElement) ?? false;
    let reason = checkFile(file, allowedTypes);
    if (!reason && inspect) {
      setProblem(null);
      setChecking(file.name);
      reason = await inspect(file);
      if (attempt !== latest.current) return; // another file was chosen meanwhile
      setChecking(null);
    }
    setProblem(reason);
    if (reason) return;
    setPreview({ url: URL.createObjectURL(file), kind: file.type.startsWith("video/") ? "video" : "image", file });
    upload.start(file);
    if (hadFocus) requestAnimationFrame(() => region.current?.focus());
  };

  const remove = async () => {
    if (upload.state && !["done", "cancelled", "failed", "locked"].includes(upload.state.phase)) await upload.cancel();
    upload.reset();
    setPreview(null);
    setProblem(null);
    setFocusChooser(true);
  };

  // A second file dropped on the attachment is refused out loud (and does not open in the tab);
  // a drop zone inside, when one is offered, takes the drop first.
  const refuseSecond = (event: DragEvent) => {
    if (event.defaultPrevented || !attached || !event.dataTransfer.types.includes("Files")) return;
    event.preventDefault();
    if (event.type === "drop") setProblem(ONE_ATTACHMENT);
  };

  const retryable = state?.phase === "failed" && state.resumable && preview !== null;
  return (
    <div
      ref={region}
      tabIndex={-1}
      aria-label={attached ? `Attachment: ${state.fileName}` : undefined}
      className="space-y-3 focus:outline-none"
      onDragOver={refuseSecond}
      onDrop={refuseSecond}
    >
      <UnfinishedUploads
        uploads={unfinished}
        hiddenIds={state?.uploadId ? [...finishedIds, state.uploadId] : finishedIds}
        disabled={busy}
        onContinue={(file) => void choose(file)}
      />
      {!attached ? (
        <DropZone
          accept={Object.keys(allowedTypes)}
          hint={`You can share ${describeAllowedTypes(allowedTypes)}.`}
          onFile={(file) => void choose(file)}
          onRefuse={setProblem}
          disabled={busy || checking !== null}
          focusOnMount={focusChooser}
        />
      ) : null}
      {checking ? (
        <p role="status" className="text-sm text-slate-600">
          Checking that “{checking}” plays in a browser…
        </p>
      ) : null}
      {problem ? (
        <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
          {problem}
        </p>
      ) : null}
      {preview && state && state.phase !== "cancelled" ? (
        <div className="relative overflow-hidden rounded-xl bg-slate-900">
          {preview.kind === "video" ? (
            <video
              src={preview.url}
              className="max-h-72 w-full object-contain"
              muted
              controls
              preload="metadata"
              data-testid="attachment-preview"
            />
          ) : (
            <img
              src={preview.url}
              alt="Attachment preview"
              className="max-h-72 w-full object-contain"
              data-testid="attachment-preview"
            />
          )}
          <button
            type="button"
            onClick={() => void remove()}
            className="absolute right-2 top-2 rounded-full bg-black/60 px-2 py-1 text-xs font-medium text-white hover:bg-black/80"
          >
            Remove
          </button>
        </div>
      ) : null}
      {state && state.phase !== "cancelled" ? (
        <UploadProgress state={state} onPause={upload.pause} onResume={upload.resume} onCancel={() => void remove()} />
      ) : null}
      {retryable ? (
        <button
          type="button"
          onClick={() => upload.start(preview.file)}
          className="rounded-lg border border-slate-300 px-3 py-1 text-xs font-semibold hover:bg-slate-100"
        >
          Try again
        </button>
      ) : null}
      {state && (state.phase === "locked" || (state.phase === "failed" && !retryable)) ? (
        <DropZone
          accept={Object.keys(allowedTypes)}
          hint={
            state.phase === "locked"
              ? "Choose the same file to continue, or another one."
              : "This file cannot be posted; choose another one."
          }
          onFile={(file) => void choose(file)}
          onRefuse={setProblem}
        />
      ) : null}
    </div>
  );
}
