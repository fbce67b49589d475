/** What one sweep round did. */
export interface SweepCounts {
  /** Unfinished uploads aborted after UPLOAD_ABANDON_AFTER without activity. */
  aborted: number;
  /** Completed uploads deleted after UPLOAD_ORPHAN_AFTER in no post. */
  orphansDeleted: number;
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;

/** What a sweep did, in words; empty when it did nothing. */
export function describeSweep(counts: SweepCounts): string {
  const done = [
    ...(counts.aborted > 0 ? [`aborted ${plural(counts.aborted, "abandoned upload")}`] : []),
    ...(counts.orphansDeleted > 0 ? [`deleted ${plural(counts.orphansDeleted, "unposted upload")}`] : []),
  ];
  return done.join(", ");
}
