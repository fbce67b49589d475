import { useCallback, useEffect, useRef, useState } from "react";
import { createHttpUploadApi, type UploadApi } from "~/upload/api";
import { browserOnline, screenWakeLock, webLocks } from "~/upload/environment";
import { webCryptoSha256 } from "~/upload/hash";
import { LocalResumeStore } from "~/upload/resume-store";
import { xhrTransport } from "~/upload/transport";
import { FileUpload, type UploadState } from "~/upload/uploader";

const probe = () =>
  fetch("/healthz", { cache: "no-store" }).then(
    (r) => r.ok,
    () => false,
  );

/**
 * Runs one FileUpload at a time for the signed-in user; the component only renders its state. `api`
 * replaces the HTTP client (the composer's poster frames use one that marks their uploads as posters).
 */
export function useFileUpload(userId: string, api?: UploadApi) {
  const [state, setState] = useState<UploadState | null>(null);
  const current = useRef<FileUpload | null>(null);
  const unsubscribe = useRef<() => void>(() => undefined);

  const start = useCallback(
    (file: File) => {
      unsubscribe.current();
      const upload = new FileUpload(file, {
        api: api ?? createHttpUploadApi(),
        transport: xhrTransport,
        store: LocalResumeStore.fromWindow(),
        hasher: webCryptoSha256,
        userId,
        online: browserOnline,
        locks: webLocks,
        wakeLock: screenWakeLock,
        probe,
      });
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

  return {
    state,
    start,
    reset,
    pause: () => current.current?.pause(),
    resume: () => current.current?.resume(),
    cancel: () => current.current?.cancel(),
  };
}
