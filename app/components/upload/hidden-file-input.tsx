import type { Ref } from "react";

/** The browser's file chooser, hidden: a visible button clicks it. Takes one file at a time. */
export function HiddenFileInput({
  accept,
  label,
  inputRef,
  onFile,
}: {
  accept: string;
  label: string;
  inputRef: Ref<HTMLInputElement>;
  onFile: (file: File) => void;
}) {
  return (
    <input
      ref={inputRef}
      type="file"
      accept={accept}
      className="sr-only"
      tabIndex={-1}
      aria-label={label}
      onChange={(event) => {
        const file = event.target.files?.[0];
        // Cleared, so that choosing the same file again is a change too.
        event.target.value = "";
        if (file) onFile(file);
      }}
    />
  );
}
