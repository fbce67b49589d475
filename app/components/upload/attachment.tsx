import { useEffect, useRef, useState, type DragEvent } from "react";
import type { UnfinishedUpload } from "~/shared/uploads";
import { checkFile, checkFileContent, describeAllowedTypes, type AllowedTypes } from "~/upload/file-checks";
import type { ChosenFile } from "~/upload/file-source";
import type { UploadState } from "~/upload/uploader";
import { AttachmentPreview } from "./attachment-preview";
import { DropZone } from "./drop-zone";
import { UnfinishedUploads } from "./unfinished-uploads";
import { UploadProgress } from "./upload-progress";
import { useFileUpload } from "./use-file-upload";

export interface AttachmentProps {
  userId: string;
  allowedTypes: AllowedTypes;
  unfinished: UnfinishedUpload[];
  /** Uploads finished on this page, no longer to be listed as unfinished. */
  finishedIds: string[];
  /** The post's text: kept with the upload, so continuing it after a reload brings it back. */
  caption: string;
  /** Continuing an unfinished upload found its draft caption. */
  onCaptionRestored?: (caption: string) => void;
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
const NOT_DELETED =
  "Removed from your post, but the server could not be reached to delete the file: it is listed under Unposted uploads until you delete it there, or it is deleted by itself.";

const settled = (state: UploadState | null) =>
  state !== null && ["done", "cancelled", "failed", "locked"].includes(state.phase);

/** The attachment's behaviour: checking and starting a file, removing and discarding it. */
function useAttachment(props: AttachmentProps) {
  const { allowedTypes, caption, onChange, onCaptionRestored, inspect, onChecking } = props;
  const upload = useFileUpload(props.userId);
  const { keepCaption } = upload;
  const [problem, setProblem] = useState<string | null>(null);
  const [checking, setChecking] = useState<string | null>(null);
  const [preview, setPreview] = useState<File | null>(null);
  // Where focus goes when the control that had it goes away: the attachment once chosen, the
  // "choose a file" button once removed.
  const region = useRef<HTMLDivElement>(null);
  const [focusChooser, setFocusChooser] = useState(false);
  const latest = useRef(0);

  useEffect(() => onChange?.(upload.state), [upload.state, onChange]);
  useEffect(() => keepCaption(caption), [caption, keepCaption]);
  useEffect(() => onChecking?.(checking !== null), [checking, onChecking]);

  const choose = async (chosen: ChosenFile, draftCaption?: string) => {
    const attempt = ++latest.current;
    const hadFocus = region.current?.contains(document.activeElement) ?? false;
    setProblem(null);
    let reason = checkFile(chosen.file, allowedTypes) ?? (await checkFileContent(chosen.file));
    if (!reason && inspect) {
      setChecking(chosen.file.name);
      reason = await inspect(chosen.file);
      if (attempt !== latest.current) return; // another file was chosen meanwhile
      setChecking(null);
    }
    if (attempt !== latest.current) return;
    setProblem(reason);
    if (reason) return;
    const restored = draftCaption && !caption.trim() ? draftCaption : undefined;
    if (restored) onCaptionRestored?.(restored);
    setPreview(chosen.file);
    upload.start(chosen, restored ?? caption);
    if (hadFocus) requestAnimationFrame(() => region.current?.focus());
  };
  /**
   * Stops what runs here (a failed upload stays on the server, to continue later) and clears the
   * attachment. A finished upload is deleted on the server: no post will use it.
   */
  const remove = async (discard = false) => {
    const state = upload.state;
    let left: string | null = null;
    if (state?.phase === "done") left = (await upload.removeFinished()) ? null : NOT_DELETED;
    else if (state && (discard || !settled(state) || state.phase === "locked")) await upload.cancel();
    upload.reset();
    setPreview(null);
    setProblem(left);
    setFocusChooser(true);
  };
  return { upload, problem, setProblem, checking, preview, choose, remove, region, focusChooser };
}

/**
 * Attach one video or photo: checks it (its first bytes, then that a browser can play it), previews it
 * and uploads it straight to storage.
 */
export function Attachment(props: AttachmentProps) {
  const { upload, problem, setProblem, checking, preview, choose, remove, region, focusChooser } = useAttachment(props);
  const accept = Object.keys(props.allowedTypes);
  const state = upload.state;
  const busy = state !== null && !settled(state);
  const shown = state !== null && state.phase !== "cancelled";

  // A second file dropped on the attachment is refused out loud (and does not open in the tab);
  // a drop zone inside, when one is offered, takes the drop first.
  const refuseSecond = (event: DragEvent) => {
    if (event.defaultPrevented || !shown || !event.dataTransfer.types.includes("Files")) return;
    event.preventDefault();
    if (event.type === "drop") setProblem(ONE_ATTACHMENT);
  };

  return (
    <div
      ref={region}
      tabIndex={-1}
      aria-label={shown ? `Attachment: ${state.fileName}` : undefined}
      className="space-y-3 focus:outline-none"
      onDragOver={refuseSecond}
      onDrop={refuseSecond}
    >
      <UnfinishedUploads
        userId={props.userId}
        uploads={props.unfinished}
        hiddenIds={state?.uploadId ? [...props.finishedIds, state.uploadId] : props.finishedIds}
        disabled={busy || checking !== null}
        onContinue={(chosen, draft) => void choose(chosen, draft)}
      />
      {!shown ? (
        <DropZone
          accept={accept}
          hint={`You can share ${describeAllowedTypes(props.allowedTypes)}.`}
          onFile={(chosen) => void choose(chosen)}
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
      {preview && shown ? <AttachmentPreview file={preview} onRemove={() => void remove()} /> : null}
      {shown ? (
        <UploadProgress
          state={state}
          controls={{
            onPause: upload.pause,
            onResume: upload.resume,
            onTryNow: upload.tryNow,
            onRetry: upload.retry,
            onContinueHere: upload.continueHere,
            onCancel: () => void remove(state.phase === "failed"),
          }}
        />
      ) : null}
      {/* Refused for good (its type, size or content): trying again cannot help, another file can. */}
      {state?.phase === "failed" && !state.resumable ? (
        <DropZone
          accept={accept}
          hint="This file cannot be posted; choose another one."
          onFile={(chosen) => void choose(chosen)}
          onRefuse={setProblem}
          disabled={checking !== null}
        />
      ) : null}
    </div>
  );
}
