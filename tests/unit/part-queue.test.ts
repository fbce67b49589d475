import { describe, expect, it } from "vitest";
import { runQueue } from "~/upload/part-queue";
import { settled } from "../support/manual-clock.js";

/** Tasks that finish (or fail) when the test says so. */
function gatedTasks() {
  const started: number[] = [];
  const gates = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let running = 0;
  let maxRunning = 0;
  const task = async (n: number) => {
    started.push(n);
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    try {
      await new Promise<void>((resolve, reject) => gates.set(n, { resolve, reject }));
    } finally {
      running -= 1;
    }
  };
  return { task, started, gates, maxRunning: () => maxRunning };
}

describe("part queue", () => {
  it("runs every item in order, at most `concurrency` at once", async () => {
    const t = gatedTasks();
    const run = runQueue([1, 2, 3, 4, 5], 2, t.task, () => undefined);
    for (const n of [1, 2, 3, 4, 5]) {
      await settled();
      t.gates.get(n)!.resolve();
    }
    await run;
    expect(t.started).toEqual([1, 2, 3, 4, 5]);
    expect(t.maxRunning()).toBe(2);
  });

  it("stops at the first failure: tasks not begun are skipped, and its error is thrown once all settle", async () => {
    const t = gatedTasks();
    let stops = 0;
    const run = runQueue([1, 2, 3, 4], 2, t.task, () => (stops += 1));
    let outcome: unknown = "pending";
    run.then(
      () => (outcome = "done"),
      (e: unknown) => (outcome = e),
    );
    await settled();
    const first = new Error("part 1 gave up");
    t.gates.get(1)!.reject(first);
    await settled();
    // Part 2 is still under way: the queue waits for it.
    expect(outcome).toBe("pending");
    t.gates.get(2)!.reject(new Error("interrupted"));
    await settled();
    expect(outcome).toBe(first);
    expect(stops).toBe(1);
    expect(t.started).toEqual([1, 2]);
  });
});
