import { useEffect, useState } from "react";
import type { UnfinishedUpload } from "~/shared/uploads";
import { checkFile, checkFileContent, describeAllowedTypes, type AllowedTypes } from "~/upload/file-checks";
import type { ChosenFile } from "~/upload/file-source";
import type { UploadState } from "~/upload/uploader";
import { AttachmentPreview, type MediaFacts } from "./attachment-preview";
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
  /** The post's text: kept with the upload, so continuing it after a reload brings it back. */
  caption: string;
  /** Continuing an unfinished upload found its draft caption. */
  onCaptionRestored?: (caption: string) => void;
  /** Told about every state change, so a form can enable its submit button when the upload is done. */
  onChange?: (state: UploadState | null) => void;
  /** Dimensions (and a video's duration) once the preview knows them. */
  onMedia?: (media: MediaFacts) => void;
}

const settled = (state: UploadState | null) =>
  state !== null && ["done", "cancelled", "failed", "locked"].includes(state.phase);

/** The attachment's behaviour: checking and starting a file, removing and discarding it. */
function useAttachment(props: AttachmentProps) {
  const { allowedTypes, caption, onChange, onCaptionRestored } = props;
  const upload = useFileUpload(props.userId);
  const { keepCaption } = upload;
  const [problem, setProblem] = useState<string | null>(null);
  const [preview, setPreview] = useState<File | null>(null);

  useEffect(() => onChange?.(upload.state), [upload.state, onChange]);
  useEffect(() => keepCaption(caption), [caption, keepCaption]);

  const choose = async (chosen: ChosenFile, draftCaption?: string) => {
    const reason = checkFile(chosen.file, allowedTypes) ?? (await checkFileContent(chosen.file));
    setProblem(reason);
    if (reason) return;
    const restored = draftCaption && !caption.trim() ? draftCaption : undefined;
    if (restored) onCaptionRestored?.(restored);
    setPreview(chosen.file);
    upload.start(chosen, restored ?? caption);
  };
  /** Stops what runs here (a failed upload stays on the server, to continue later) and clears the attachment. */
  const remove = async (discard = false) => {
    const state = upload.state;
    if (state && (discard || !settled(state) || state.phase === "locked")) await upload.cancel();
    upload.reset();
    setPreview(null);
  };
  return { upload, problem, preview, choose, remove };
}

/** Attach one video or photo: checks it (its first bytes too), previews it and uploads it straight to storage. */
export function Attachment(props: AttachmentProps) {
  const { upload, problem, preview, choose, remove } = useAttachment(props);
  const accept = Object.keys(props.allowedTypes);
  const state = upload.state;
  const busy = state !== null && !settled(state);
  const shown = state && state.phase !== "cancelled";
  return (
    <div className="space-y-3">
      <UnfinishedUploads
        userId={props.userId}
        uploads={props.unfinished}
        hiddenIds={state?.uploadId ? [...props.finishedIds, state.uploadId] : props.finishedIds}
        disabled={busy}
        onContinue={(chosen, draft) => void choose(chosen, draft)}
      />
      {!shown ? (
        <DropZone
          accept={accept}
          hint={`You can share ${describeAllowedTypes(props.allowedTypes)}.`}
          onFile={(chosen) => void choose(chosen)}
          disabled={busy}
        />
      ) : null}
      {problem ? (
        <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
          {problem}
        </p>
      ) : null}
      {preview && shown ? (
        <AttachmentPreview file={preview} onRemove={() => void remove()} onMedia={props.onMedia} />
      ) : null}
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
      {state?.phase === "failed" && !state.resumable ? (
        <DropZone accept={accept} hint="Choose another file." onFile={(c) => void choose(c)} />
      ) : null}
    </div>
  );
}
