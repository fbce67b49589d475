import { withAdvisoryLock } from "../db/advisory-lock.js";
import type { Services } from "../services.js";
import { sweepFailed, sweepFinished } from "./events.js";
import { findAbandoned } from "./repository.js";
import { abortUpload } from "./service.js";
import type { SweepCounts } from "./sweep-counts.js";
import { sweepOrphanedUploads } from "./sweep-orphans.js";

export { describeSweep, type SweepCounts } from "./sweep-counts.js";

const ABANDONED_REASON = "Abandoned: no activity for too long.";

/** Aborts every upload with no activity for UPLOAD_ABANDON_AFTER; returns how many it aborted. */
export async function sweepAbandonedUploads(services: Services, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - services.config.uploads.abandonAfterMs);
  let aborted = 0;
  for (;;) {
    const batch = await findAbandoned(services.db, before, 50);
    if (batch.length === 0) return aborted;
    for (const upload of batch) {
      const result = await abortUpload(services, { id: upload.user_id }, upload.id, {
        kind: "abandoned",
        reason: ABANDONED_REASON,
      });
      if (result.ok) aborted += 1;
    }
  }
}

/**
 * One round of every sweep: abandoned unfinished uploads, then completed ones no post used. The round
 * is logged and counted once, with what each sweep did (or the error that stopped it).
 */
export async function sweepUploads(services: Services, now = services.now()): Promise<SweepCounts> {
  const started = performance.now();
  try {
    const counts = {
      aborted: await sweepAbandonedUploads(services, now),
      orphansDeleted: await sweepOrphanedUploads(services, now),
    };
    sweepFinished(services, counts, (performance.now() - started) / 1000);
    return counts;
  } catch (error) {
    sweepFailed(services, error);
    throw error;
  }
}

/** The advisory lock every instance's sweeper takes: one sweeps at a time, the others skip that round. */
export const SWEEP_LOCK = "feedup:sweeper";

export type SweepOutcome = ({ swept: true } & SweepCounts) | { swept: false };

/**
 * One round of every sweep, unless another instance (or `npm run uploads:sweep`) is sweeping right now:
 * then nothing is done and the next interval tries again.
 */
export async function sweepExclusively(services: Services, now = services.now()): Promise<SweepOutcome> {
  const outcome = await withAdvisoryLock(services.db, SWEEP_LOCK, (db) => sweepUploads({ ...services, db }, now));
  return outcome.acquired ? { swept: true, ...outcome.value } : { swept: false };
}

/** Runs the sweep every UPLOAD_SWEEP_INTERVAL inside the server; the timer never keeps the process alive. */
export function startSweeper(services: Services): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepExclusively(services)
      .then((outcome) => {
        if (!outcome.swept) services.log.info({ component: "uploads" }, "sweep skipped: another instance is sweeping");
      })
      // A failed sweep is logged and counted where it fails; the next interval tries again.
      .catch(() => undefined)
      .finally(() => (running = false));
  }, services.config.uploads.sweepIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
