import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { createHttpUploadApi, type UploadApi } from "~/upload/api";
import { browserOnline, screenWakeLock, webLocks } from "~/upload/environment";
import { IndexedDbHandleStore } from "~/upload/file-handles";
import type { ChosenFile } from "~/upload/file-source";
import { workerHasher } from "~/upload/crc-worker";
import { guardLeaving } from "~/upload/leave-guard";
import { LocalResumeStore } from "~/upload/resume-store";
import { broadcastChannel } from "~/upload/tab-presence";
import { xhrTransport } from "~/upload/transport";
import { isRunningPhase } from "~/upload/upload-state";
import { FileUpload, type UploadState, type UploaderDeps } from "~/upload/uploader";

const probe = () =>
  fetch("/healthz", { cache: "no-store" }).then(
    (r) => r.ok,
    () => false,
  );

/** Part checksums in a Worker (started on first use, shared by this page's uploads). */
const partHasher = workerHasher();

/** What an upload uses in the browser. */
function browserDeps(userId: string, api: UploadApi | undefined): UploaderDeps {
  return {
    api: api ?? createHttpUploadApi(),
    transport: xhrTransport,
    store: LocalResumeStore.fromWindow(),
    handles: IndexedDbHandleStore.fromWindow(),
    channel: broadcastChannel(),
    hasher: partHasher,
    userId,
    online: browserOnline,
    locks: webLocks,
    wakeLock: screenWakeLock,
    probe,
  };
}

/**
 * Runs one FileUpload at a time for the signed-in user; the component only renders its state. `api`
 * replaces the HTTP client (the composer's poster frames use one that marks their uploads as posters).
 */
export function useFileUpload(userId: string, api?: UploadApi) {
  const [state, setState] = useState<UploadState | null>(null);
  const current = useRef<FileUpload | null>(null);
  const unsubscribe = useRef<() => void>(() => undefined);

  const start = useCallback(
    ({ file, handle }: ChosenFile, caption: string) => {
      unsubscribe.current();
      const upload = new FileUpload(file, browserDeps(userId, api), { handle, caption });
      current.current = upload;
      unsubscribe.current = upload.subscribe(setState);
      setState(upload.getState());
      void upload.start();
      return upload;
    },
    [userId, api],
  );

  const reset = useCallback(() => {
    unsubscribe.current();
    current.current = null;
    setState(null);
  }, []);

  // Leaving the page does not cancel: the upload can resume later. It only stops listening.
  useEffect(() => () => unsubscribe.current(), []);
  // While an upload runs in this page, leaving or reloading it asks first.
  useEffect(
    () =>
      guardLeaving(window, () => {
        const phase = current.current?.getState().phase;
        return phase !== undefined && isRunningPhase(phase);
      }),
    [],
  );

  // The same functions on every render, so effects can depend on them.
  const controls = useMemo(
    () => ({
      pause: () => current.current?.pause(),
      resume: () => current.current?.resume(),
      retry: () => current.current?.retry(),
      tryNow: () => current.current?.tryNow(),
      continueHere: () => current.current?.continueHere(),
      keepCaption: (caption: string) => current.current?.keepCaption(caption),
      cancel: async () => current.current?.cancel(),
      removeFinished: async () => (await current.current?.removeFinished()) ?? true,
    }),
    [],
  );
  return { state, start, reset, ...controls };
}
