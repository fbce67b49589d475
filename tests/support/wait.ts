import type { ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

/** Polls a URL until it answers 2xx: used for processes that have no readiness event but an HTTP check. */
export async function waitForHttp(
  url: string,
  options: { timeoutMs: number; whileAlive?: ChildProcess },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.whileAlive && options.whileAlive.exitCode !== null)
      throw new Error(`the process exited (${options.whileAlive.exitCode}) before ${url} answered`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${options.timeoutMs} ms`);
    await sleep(200);
  }
}

/** Polls `check` until it holds: for state that changes without an event to wait for (another process, the database). */
export async function poll(
  check: () => boolean | Promise<boolean>,
  what: string,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(options.intervalMs ?? 50);
  }
}
