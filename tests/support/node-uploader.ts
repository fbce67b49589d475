/**
 * The browser's uploader (app/upload's FileUpload, unchanged) running in Node: parts go out as HTTP PUTs
 * from node:http instead of XMLHttpRequest, the file is read from disk a slice at a time, and the
 * browser facilities it asks for (locks, online signal, wake lock, tab channel) are single-process
 * stand-ins. For the restart tests and the load benchmark, which drive app processes over real HTTP.
 */
import { openAsBlob } from "node:fs";
import { request as httpRequest, type Agent } from "node:http";
import { basename } from "node:path";
import { devSignIn } from "./http-uploads.js";
import { createHttpUploadApi, type HttpUploadApiOptions, type UploadApi } from "../../app/upload/api.js";
import type { OnlineSignal, UploadLocks, WakeLocker } from "../../app/upload/environment.js";
import { mainThreadHasher } from "../../app/upload/hash.js";
import { MemoryResumeStore } from "../../app/upload/resume-store.js";
import { parseS3Error } from "../../app/upload/retry.js";
import type { TabChannel } from "../../app/upload/tab-presence.js";
import { PartFailure, abortError, type PartTransport } from "../../app/upload/transport.js";
import { FileUpload } from "../../app/upload/uploader.js";

/**
 * One part = one PUT of the file slice with node:http, streamed from disk. Progress counts the bytes the
 * socket has taken; no progress for `stallTimeoutMs` cuts the request, as the browser's transport does.
 */
export function nodeTransport(agent?: Agent): PartTransport {
  return (part) =>
    new Promise((resolve, reject) => {
      if (part.signal.aborted) return reject(abortError());
      let settled = false;
      let stalled = false;
      let stallTimer: ReturnType<typeof setTimeout> | undefined;
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(stallTimer);
        part.signal.removeEventListener("abort", onAbort);
        outcome();
      };
      const armStallTimer = () => {
        clearTimeout(stallTimer);
        stallTimer = setTimeout(() => {
          stalled = true;
          outgoing.destroy();
        }, part.stallTimeoutMs);
      };
      // A request cut off (reset, stalled, aborted) ends without an answer, whichever event says so first.
      const cutOff = () =>
        finish(() =>
          reject(
            part.signal.aborted ? abortError() : new PartFailure(stalled ? { type: "stall" } : { type: "network" }),
          ),
        );
      const outgoing = httpRequest(part.url, {
        method: "PUT",
        agent,
        headers: { ...part.headers, "Content-Length": String(part.body.size) },
      });
      const onAbort = () => outgoing.destroy();
      part.signal.addEventListener("abort", onAbort);
      outgoing.on("response", (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", cutOff);
        response.on("end", () =>
          finish(() => {
            const etag = response.headers.etag;
            if (response.statusCode === 200 && etag) return resolve({ etag });
            reject(new PartFailure(parseS3Error(response.statusCode ?? 0, Buffer.concat(chunks).toString())));
          }),
        );
        response.on("close", cutOff);
      });
      outgoing.on("error", cutOff);
      outgoing.on("close", cutOff);
      armStallTimer();
      void (async () => {
        let sent = 0;
        try {
          const reader = part.body.stream().getReader();
          for (let read = await reader.read(); !read.done; read = await reader.read()) {
            const chunk = read.value;
            if (outgoing.destroyed) return void reader.cancel();
            const written = new Promise<void>((done, failed) =>
              outgoing.write(chunk, (error) => (error ? failed(error) : done())),
            );
            await written;
            sent += chunk.byteLength;
            armStallTimer();
            part.onProgress(sent);
          }
          outgoing.end();
        } catch {
          outgoing.destroy(); // the request's own error event settles the attempt
        }
      })();
    });
}

const alwaysOnline: OnlineSignal = { isOnline: () => true, subscribe: () => () => undefined };
/** Each upload is driven by this process alone. */
const ownLocks: UploadLocks = { acquire: async () => () => undefined, whenFree: async () => undefined };
const noWakeLock: WakeLocker = { acquire: async () => () => undefined };
const noOtherTabs: TabChannel = { post: () => undefined, listen: () => () => undefined };

/** A file on disk as the browser's File: slices are read when the uploader reads them. */
export async function fileFromDisk(path: string, type: string, lastModified = 1_700_000_000_000): Promise<File> {
  return new File([await openAsBlob(path)], basename(path), { type, lastModified });
}

/** Signs in as `login` through the development sign-in: the session cookie and the user's id. */
export async function signInForUploads(appUrl: string, login: string): Promise<{ cookie: string; userId: string }> {
  const cookie = await devSignIn(appUrl, login);
  const userId = await createHttpUploadApi(appUrl, { headers: { Cookie: cookie } }).signedInAs();
  if (!userId) throw new Error(`signed in as ${login}, but ${appUrl}/api/me does not know the session`);
  return { cookie, userId };
}

export interface NodeUploaderOptions {
  /** The app (a function: one per call, to spread calls over instances). */
  appUrl: string | (() => string);
  cookie: string;
  userId: string;
  onCall?: HttpUploadApiOptions["onCall"];
  agent?: Agent;
}

/** A FileUpload of `file` against the app over HTTP, with the session `cookie`. */
export function nodeFileUpload(file: File, options: NodeUploaderOptions): { upload: FileUpload; api: UploadApi } {
  const api = createHttpUploadApi(options.appUrl, { headers: { Cookie: options.cookie }, onCall: options.onCall });
  const upload = new FileUpload(file, {
    api,
    transport: nodeTransport(options.agent),
    store: new MemoryResumeStore(),
    hasher: mainThreadHasher,
    userId: options.userId,
    online: alwaysOnline,
    locks: ownLocks,
    wakeLock: noWakeLock,
    channel: noOtherTabs,
  });
  return { upload, api };
}
