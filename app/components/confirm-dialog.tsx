import { useEffect, useRef, type KeyboardEvent, type ReactNode, type RefObject } from "react";
import { flushSync } from "react-dom";

/**
 * A modal confirmation (the native <dialog>, so the rest of the page is inert). Focus starts on the
 * safe choice, Tab cycles inside, Escape or "cancel" closes it, and focus goes back to `returnFocus`.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  cancelLabel,
  confirmLabel,
  busy,
  onCancel,
  onConfirm,
  returnFocus,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  cancelLabel: string;
  confirmLabel: string;
  busy?: boolean;
  onCancel: () => void;
  onConfirm: () => void;
  returnFocus: RefObject<HTMLElement>;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element || !open) return;
    const opener = returnFocus.current;
    element.showModal();
    return () => {
      element.close();
      opener?.focus();
    };
  }, [open, returnFocus]);

  // The browser's own modal keeps focus out of the page but lets Tab reach its address bar; here Tab
  // cycles between the dialog's controls.
  const trapTab = (event: KeyboardEvent<HTMLDialogElement>) => {
    if (event.key !== "Tab") return;
    const controls = [...event.currentTarget.querySelectorAll<HTMLElement>("button:not([disabled])")];
    const [first, last] = [controls[0], controls.at(-1)];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <dialog
      ref={dialog}
      aria-labelledby="confirm-title"
      // Escape closes the native dialog, and the page's state must follow before the next key (Enter on
      // the Delete button may open it again at once). A close without a cancel event (the browser may
      // skip it) is caught by onClose; a close event that arrives after the dialog was opened again
      // belongs to the earlier close and is ignored.
      onCancel={() => flushSync(onCancel)}
      onClose={(event) => {
        if (open && !event.currentTarget.open) flushSync(onCancel);
      }}
      onKeyDown={trapTab}
      className="w-[min(24rem,calc(100vw-2rem))] rounded-2xl p-5 shadow-xl backdrop:bg-slate-900/40"
    >
      {open ? (
        <>
          <h2 id="confirm-title" className="text-base font-semibold">
            {title}
          </h2>
          <div className="mt-2 text-sm text-slate-600">{children}</div>
          <div className="mt-4 flex justify-end gap-2">
            <button
              type="button"
              autoFocus
              onClick={onCancel}
              className="rounded-lg border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100"
            >
              {cancelLabel}
            </button>
            <button
              type="button"
              disabled={busy}
              onClick={onConfirm}
              className="rounded-lg bg-red-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-500 disabled:opacity-60"
            >
              {confirmLabel}
            </button>
          </div>
        </>
      ) : null}
    </dialog>
  );
}
