import pLimit from "p-limit";

/**
 * Runs `task` for every item, at most `concurrency` at a time. The first task to fail stops the rest
 * (tasks not begun are skipped; `onFirstFailure` lets the caller end those under way) and its error
 * is thrown once all have settled.
 */
export async function runQueue<T>(
  items: T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
  onFirstFailure: () => void,
): Promise<void> {
  const limit = pLimit(concurrency);
  let failed = false;
  let firstError: unknown;
  await Promise.all(
    items.map((item) =>
      limit(async () => {
        if (failed) return;
        try {
          await task(item);
        } catch (error) {
          if (!failed) {
            failed = true;
            firstError = error;
            onFirstFailure();
          }
        }
      }),
    ),
  );
  if (failed) throw firstError;
}
