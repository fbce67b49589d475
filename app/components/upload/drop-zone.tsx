import { useEffect, useRef, useState, type DragEvent } from "react";
import { droppedFile, pickFileWithHandle, picksHandles, type ChosenFile } from "~/upload/file-source";
import { HiddenFileInput } from "./hidden-file-input";

export interface DropZoneProps {
  accept: string[];
  hint: string;
  onFile: (chosen: ChosenFile) => void;
  /** Told why a drop was not taken (several files at once). */
  onRefuse?: (message: string) => void;
  disabled?: boolean;
  /** Focuses "choose a file" when it appears (after the attachment it replaces was removed). */
  focusOnMount?: boolean;
}

/**
 * Drop a file here or choose one. Where the browser hands out file handles (Chromium), both keep the
 * handle with the file, so the upload can continue after a reload without choosing it again.
 */
export function DropZone({ accept, hint, onFile, onRefuse, disabled, focusOnMount }: DropZoneProps) {
  const input = useRef<HTMLInputElement>(null);
  const chooser = useRef<HTMLButtonElement>(null);
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    if (focusOnMount) chooser.current?.focus();
  }, [focusOnMount]);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (disabled) return;
    if (event.dataTransfer.files.length > 1) return onRefuse?.("One attachment per post — drop a single file.");
    // Read during the event: the browser empties the data transfer afterwards.
    void droppedFile(event.dataTransfer).then((chosen) => chosen && onFile(chosen));
  };
  const choose = () => {
    if (!picksHandles(window)) return input.current?.click();
    pickFileWithHandle(accept, window).then(
      (chosen) => chosen && onFile(chosen),
      () => input.current?.click(),
    );
  };
  return (
    <div
      data-testid="drop-zone"
      onDragOver={(event) => {
        event.preventDefault();
        if (!disabled) setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      className={`flex flex-col items-center justify-center gap-2 rounded-xl border-2 border-dashed px-4 py-6 text-center transition ${
        dragging ? "border-indigo-500 bg-indigo-50" : "border-slate-300 bg-slate-50"
      } ${disabled ? "opacity-60" : ""}`}
    >
      <UploadIcon />
      <p className="text-sm text-slate-600">
        {dragging ? "Drop to attach" : "Drag a video or photo here, or"}{" "}
        {!dragging ? (
          <button
            ref={chooser}
            type="button"
            disabled={disabled}
            onClick={choose}
            className="font-semibold text-indigo-600 underline-offset-2 hover:underline focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400 disabled:cursor-not-allowed"
          >
            choose a file
          </button>
        ) : null}
      </p>
      <p className="text-xs text-slate-500">{hint}</p>
      <HiddenFileInput
        inputRef={input}
        accept={accept.join(",")}
        label="Choose a file to attach"
        onFile={(file) => onFile({ file })}
      />
    </div>
  );
}

function UploadIcon() {
  return (
    <svg
      viewBox="0 0 24 24"
      className="h-8 w-8 text-slate-400"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      aria-hidden="true"
    >
      <path
        strokeLinecap="round"
        strokeLinejoin="round"
        d="M3 16.5v2.25A2.25 2.25 0 005.25 21h13.5A2.25 2.25 0 0021 18.75V16.5m-13.5-9L12 3m0 0l4.5 4.5M12 3v13.5"
      />
    </svg>
  );
}
