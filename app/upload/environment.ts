/** The browser facilities the uploader uses, behind small interfaces so tests can drive them. */

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with an AbortError when `signal` fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new DOMException("Aborted", "AbortError"));
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(new DOMException("Aborted", "AbortError"));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

export interface OnlineSignal {
  isOnline(): boolean;
  subscribe(listener: (online: boolean) => void): () => void;
}

export const browserOnline: OnlineSignal = {
  isOnline: () => (typeof navigator === "undefined" ? true : navigator.onLine),
  subscribe(listener) {
    const on = () => listener(true);
    const off = () => listener(false);
    window.addEventListener("online", on);
    window.addEventListener("offline", off);
    return () => {
      window.removeEventListener("online", on);
      window.removeEventListener("offline", off);
    };
  },
};

/** One tab drives an upload: returns a release function, or null when another tab holds the lock. */
export interface UploadLocks {
  acquire(name: string): Promise<(() => void) | null>;
  /** Resolves once nobody holds the lock (the tab holding it released it, or closed). */
  whenFree(name: string, signal: AbortSignal): Promise<void>;
}

export const webLocks: UploadLocks = {
  async whenFree(name, signal) {
    if (typeof navigator === "undefined" || !navigator.locks) return;
    // Granted once the holder lets go; released again at once by returning.
    await navigator.locks.request(name, { signal }, () => undefined);
  },
  async acquire(name) {
    if (typeof navigator === "undefined" || !navigator.locks) return () => undefined;
    return new Promise((resolve) => {
      void navigator.locks.request(name, { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(null);
          return undefined;
        }
        // Hold the lock until released: the promise returned here is what keeps it.
        return new Promise<void>((release) => resolve(() => release()));
      });
    });
  },
};

/** Keeps the screen awake while an upload runs, where the browser supports it. */
export interface WakeLocker {
  acquire(): Promise<() => void>;
}

export const screenWakeLock: WakeLocker = {
  async acquire() {
    try {
      const sentinel = await navigator.wakeLock?.request("screen");
      return () => void sentinel?.release().catch(() => undefined);
    } catch {
      // Not supported, not visible, or refused by policy: uploading works without it.
      return () => undefined;
    }
  },
};
