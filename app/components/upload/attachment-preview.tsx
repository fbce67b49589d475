import { useEffect, useState } from "react";

/**
 * The chosen file, shown as it will appear, with the control that removes it. (Its size and length
 * come from the composer's probe, which ran before the upload started.)
 */
export function AttachmentPreview({ file, onRemove }: { file: File; onRemove: () => void }) {
  const [url, setUrl] = useState<string | null>(null);
  // The object URL lives as long as this preview: revoked when the file changes or it unmounts.
  useEffect(() => {
    const made = URL.createObjectURL(file);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [file]);
  if (!url) return null;
  return (
    <div className="relative overflow-hidden rounded-xl bg-slate-900">
      {file.type.startsWith("video/") ? (
        <video
          src={url}
          className="max-h-72 w-full object-contain"
          muted
          controls
          preload="metadata"
          data-testid="attachment-preview"
        />
      ) : (
        <img
          src={url}
          alt="Attachment preview"
          className="max-h-72 w-full object-contain"
          data-testid="attachment-preview"
        />
      )}
      <button
        type="button"
        onClick={onRemove}
        className="absolute right-2 top-2 rounded-full bg-black/60 px-2 py-1 text-xs font-medium text-white hover:bg-black/80"
      >
        Remove
      </button>
    </div>
  );
}
