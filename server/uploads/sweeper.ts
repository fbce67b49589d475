import type { Services } from "../services.js";
import { findAbandoned } from "./repository.js";
import { abortUpload } from "./service.js";

const ABANDONED_REASON = "Abandoned: no activity for too long.";

/** Aborts every upload with no activity for UPLOAD_ABANDON_AFTER; returns how many it aborted. */
export async function sweepAbandonedUploads(services: Services, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - services.config.uploads.abandonAfterMs);
  let aborted = 0;
  for (;;) {
    const batch = await findAbandoned(services.db, before, 50);
    if (batch.length === 0) return aborted;
    for (const upload of batch) {
      const result = await abortUpload(services, { id: upload.user_id }, upload.id, ABANDONED_REASON);
      if (result.ok) aborted += 1;
    }
  }
}

/** Runs the sweep every UPLOAD_SWEEP_INTERVAL inside the server; the timer never keeps the process alive. */
export function startSweeper(services: Services, log: (line: string) => void): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepAbandonedUploads(services)
      .then((count) => count > 0 && log(`uploads: aborted ${count} abandoned upload${count === 1 ? "" : "s"}`))
      .catch((error: unknown) =>
        log(`uploads: sweep failed: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => (running = false));
  }, services.config.uploads.sweepIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
