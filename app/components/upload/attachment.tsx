import { useEffect, useState } from "react";
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
  /** Dimensions (and a video's duration) once the preview knows them. */
  onMedia?: (media: { width?: number; height?: number; durationSeconds?: number }) => void;
}

/** Attach one video or photo: checks it, previews it and uploads it straight to storage. */
export function Attachment({ userId, allowedTypes, unfinished, finishedIds, onChange, onMedia }: AttachmentProps) {
  const upload = useFileUpload(userId);
  const [problem, setProblem] = useState<string | null>(null);
  const [preview, setPreview] = useState<{ url: string; kind: "image" | "video" } | null>(null);

  // The object URL lives as long as this preview: revoked when replaced or unmounted.
  useEffect(() => () => void (preview && URL.revokeObjectURL(preview.url)), [preview]);
  useEffect(() => onChange?.(upload.state), [upload.state, onChange]);

  const choose = (file: File) => {
    const reason = checkFile(file, allowedTypes);
    setProblem(reason);
    if (reason) return;
    setPreview({ url: URL.createObjectURL(file), kind: file.type.startsWith("video/") ? "video" : "image" });
    upload.start(file);
  };

  const remove = async () => {
    if (upload.state && !["done", "cancelled", "failed", "locked"].includes(upload.state.phase)) await upload.cancel();
    upload.reset();
    setPreview(null);
  };

  const state = upload.state;
  const busy = state !== null && !["done", "cancelled", "failed", "locked"].includes(state.phase);
  return (
    <div className="space-y-3">
      <UnfinishedUploads
        uploads={unfinished}
        hiddenIds={state?.uploadId ? [...finishedIds, state.uploadId] : finishedIds}
        disabled={busy}
        onContinue={choose}
      />
      {state === null || state.phase === "cancelled" ? (
        <DropZone
          accept={Object.keys(allowedTypes)}
          hint={`You can share ${describeAllowedTypes(allowedTypes)}.`}
          onFile={choose}
          disabled={busy}
        />
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
              onLoadedMetadata={(e) => {
                const v = e.currentTarget;
                onMedia?.({
                  ...(v.videoWidth ? { width: v.videoWidth, height: v.videoHeight } : {}),
                  ...(Number.isFinite(v.duration) && v.duration > 0 ? { durationSeconds: v.duration } : {}),
                });
              }}
            />
          ) : (
            <img
              src={preview.url}
              alt="Attachment preview"
              className="max-h-72 w-full object-contain"
              data-testid="attachment-preview"
              onLoad={(e) => onMedia?.({ width: e.currentTarget.naturalWidth, height: e.currentTarget.naturalHeight })}
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
      {state && (state.phase === "failed" || state.phase === "locked") ? (
        <DropZone
          accept={Object.keys(allowedTypes)}
          hint="Choose the same file to continue, or another one."
          onFile={choose}
        />
      ) : null}
    </div>
  );
}
