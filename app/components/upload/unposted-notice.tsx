import { formatBytes } from "~/shared/format";

/** A line on the home page when finished uploads wait in no post, with the way to them. */
export function UnpostedNotice({ count, bytes }: { count: number; bytes: number }) {
  if (count === 0) return null;
  return (
    <p
      className="mb-4 flex flex-wrap items-center justify-between gap-x-3 gap-y-1 rounded-xl border border-slate-200 bg-white px-4 py-3 text-sm text-slate-700 shadow-sm"
      data-testid="unposted-notice"
    >
      <span>
        {count === 1 ? "1 finished upload" : `${count} finished uploads`} ({formatBytes(bytes)}){" "}
        {count === 1 ? "is" : "are"} in no post.
      </span>
      <a href="/uploads" className="font-semibold text-indigo-700 hover:underline">
        Review unposted uploads
      </a>
    </p>
  );
}
