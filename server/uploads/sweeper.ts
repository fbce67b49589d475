import type { Services } from "../services.js";
import { sweepFailed, sweepFinished } from "./events.js";
import { findAbandoned } from "./repository.js";
import { abortUpload } from "./service.js";

const ABANDONED_REASON = "Abandoned: no activity for too long.";

/** Aborts every upload with no activity for UPLOAD_ABANDON_AFTER; returns how many it aborted. */
export async function sweepAbandonedUploads(services: Services, now = new Date()): Promise<number> {
  const started = performance.now();
  const before = new Date(now.getTime() - services.config.uploads.abandonAfterMs);
  let aborted = 0;
  try {
    for (;;) {
      const batch = await findAbandoned(services.db, before, 50);
      if (batch.length === 0) break;
      for (const upload of batch) {
        const result = await abortUpload(services, { id: upload.user_id }, upload.id, {
          kind: "abandoned",
          reason: ABANDONED_REASON,
        });
        if (result.ok) aborted += 1;
      }
    }
  } catch (error) {
    sweepFailed(services, error);
    throw error;
  }
  sweepFinished(services, aborted, (performance.now() - started) / 1000);
  return aborted;
}

/** Runs the sweep every UPLOAD_SWEEP_INTERVAL inside the server; the timer never keeps the process alive. */
export function startSweeper(services: Services): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    // A failed sweep is logged and counted where it fails; the next interval tries again.
    sweepAbandonedUploads(services)
      .catch(() => undefined)
      .finally(() => (running = false));
  }, services.config.uploads.sweepIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
