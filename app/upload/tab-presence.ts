import type { UploadLocks } from "./environment";
import type { UploadPhase } from "./upload-state";

/** What the tab driving an upload tells the others. */
export interface TabNews {
  uploadId: string;
  phase: UploadPhase;
  percent: number;
}

/** Tabs of the same origin telling each other about their uploads (a BroadcastChannel in the browser). */
export interface TabChannel {
  post(news: TabNews): void;
  listen(listener: (news: TabNews) => void): () => void;
}

export const CHANNEL_NAME = "feedup-uploads";

/** The BroadcastChannel, or a silent stand-in where there is none (then only the lock tells). */
export function broadcastChannel(name = CHANNEL_NAME): TabChannel {
  if (typeof BroadcastChannel === "undefined") return { post: () => undefined, listen: () => () => undefined };
  const channel = new BroadcastChannel(name);
  return {
    post: (news) => channel.postMessage(news),
    listen(listener) {
      const onMessage = (event: MessageEvent) => {
        const news = event.data as Partial<TabNews> | null;
        if (typeof news?.uploadId === "string" && typeof news.phase === "string") listener(news as TabNews);
      };
      channel.addEventListener("message", onMessage);
      return () => channel.removeEventListener("message", onMessage);
    },
  };
}

export const uploadLockName = (uploadId: string) => `feedup-upload:${uploadId}`;

/**
 * Follows the tab that drives upload `uploadId`: passes on its news, and resolves when that tab
 * says it is done, or lets go of the upload's lock (paused, failed, finished or closed: Web Locks
 * release a closed tab's locks). What became of the upload is then for the server to say.
 */
export async function followOtherTab(options: {
  uploadId: string;
  locks: UploadLocks;
  channel: TabChannel;
  signal: AbortSignal;
  onNews: (news: TabNews) => void;
}): Promise<void> {
  const { uploadId, locks, channel, signal } = options;
  const stopped = new AbortController();
  const forward = () => stopped.abort();
  signal.addEventListener("abort", forward, { once: true });
  let unlisten = () => undefined as unknown;
  const done = new Promise<void>((resolve) => {
    unlisten = channel.listen((news) => {
      if (news.uploadId !== uploadId) return;
      options.onNews(news);
      if (news.phase === "done") resolve();
    });
  });
  const free = locks.whenFree(uploadLockName(uploadId), stopped.signal);
  free.catch(() => undefined); // ended by us once done: not an error
  try {
    await Promise.race([done, free]);
  } finally {
    unlisten();
    stopped.abort();
    signal.removeEventListener("abort", forward);
  }
}

/** Tells the other tabs about this tab's upload when its phase or whole percent changes. */
export class TabAnnouncer {
  private last = "";

  constructor(private readonly channel: TabChannel) {}

  announce(news: TabNews): void {
    const key = `${news.uploadId}:${news.phase}:${news.percent}`;
    if (key === this.last) return;
    this.last = key;
    this.channel.post(news);
  }
}
