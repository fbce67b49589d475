/** What `guardLeaving` needs of the window. */
export type LeaveTarget = Pick<Window, "addEventListener" | "removeEventListener">;

/**
 * Asks the person to confirm leaving or reloading the page while `running()` says an upload runs in
 * it, and only then (browsers show their own "Leave site?" dialog). Returns the function that stops.
 */
export function guardLeaving(target: LeaveTarget, running: () => boolean): () => void {
  const onBeforeUnload = (event: BeforeUnloadEvent) => {
    if (!running()) return;
    event.preventDefault();
    // Older browsers need returnValue set to show the dialog.
    event.returnValue = "";
  };
  target.addEventListener("beforeunload", onBeforeUnload);
  return () => target.removeEventListener("beforeunload", onBeforeUnload);
}
