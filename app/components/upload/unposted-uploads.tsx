import { useEffect, useRef, useState } from "react";
import { relativeTime } from "~/posts/relative-time";
import type { ApiErrorBody } from "~/shared/api-error";
import { formatBytes } from "~/shared/format";
import type { UnpostedUpload, UnpostedUploadsPage } from "~/shared/uploads";
import { createHttpUploadApi } from "~/upload/api";
import { ConfirmDialog } from "../confirm-dialog";

/** The next page of the list, or a problem in words. */
async function fetchPage(cursor: string): Promise<UnpostedUploadsPage | string> {
  const response = await fetch(`/api/uploads/unposted?cursor=${encodeURIComponent(cursor)}`).catch(() => null);
  if (!response) return "The server could not be reached. Check your connection and try again.";
  const body = (await response.json().catch(() => null)) as UnpostedUploadsPage | ApiErrorBody | null;
  if (!response.ok || !body || "error" in body) {
    return (body && "error" in body && body.error.message) || `The server answered ${response.status}.`;
  }
  return body;
}

/**
 * The person's finished uploads that no post uses: what each is, when it finished, when it will be
 * deleted by itself, and Delete (after a confirmation) to free the space now.
 */
export function UnpostedUploads({ first, now }: { first: UnpostedUploadsPage; now: number }) {
  const [uploads, setUploads] = useState<UnpostedUpload[]>(first.uploads);
  const [cursor, setCursor] = useState(first.nextCursor);
  const [loading, setLoading] = useState(false);
  const [asked, setAsked] = useState<UnpostedUpload | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const list = useRef<HTMLUListElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  // The Delete button that opened the dialog: focus goes back to it when the dialog is cancelled.
  const opener = useRef<HTMLElement | null>(null);
  // After a delete, focus moves to the row that took its place (or the one before), else to the
  // heading: once the dialog has closed, since closing it hands focus back to its (removed) opener.
  const [focusRow, setFocusRow] = useState<number | null>(null);
  useEffect(() => {
    if (focusRow === null || asked) return;
    const buttons = list.current?.querySelectorAll<HTMLButtonElement>("button[data-delete]");
    (buttons?.[Math.min(focusRow, buttons.length - 1)] ?? heading.current)?.focus();
    setFocusRow(null);
  }, [focusRow, asked]);

  const confirmDelete = async () => {
    if (!asked) return;
    setDeleting(true);
    setProblem(null);
    try {
      await createHttpUploadApi().abort(asked.id);
    } catch (error) {
      setDeleting(false);
      setAsked(null);
      setProblem(`“${asked.fileName}” was not deleted: ${error instanceof Error ? error.message : "try again."}`);
      return;
    }
    const index = uploads.findIndex((u) => u.id === asked.id);
    const left = uploads.filter((u) => u.id !== asked.id);
    setUploads(left);
    setDeleting(false);
    setAsked(null);
    setAnnouncement(`Deleted “${asked.fileName}”.`);
    setFocusRow(index);
  };

  const showMore = async () => {
    if (!cursor) return;
    setLoading(true);
    const page = await fetchPage(cursor);
    setLoading(false);
    if (typeof page === "string") return setProblem(page);
    setProblem(null);
    setUploads((shown) => [...shown, ...page.uploads.filter((u) => !shown.some((s) => s.id === u.id))]);
    setCursor(page.nextCursor);
  };

  const totalShown = uploads.reduce((sum, u) => sum + u.size, 0);
  // The dialog stays outside the section: space-y-* margins would pull it off centre.
  return (
    <>
      <section aria-labelledby="unposted-heading" className="space-y-4" data-testid="unposted-uploads">
        <h2 id="unposted-heading" ref={heading} tabIndex={-1} className="sr-only">
          {uploads.length === 0 ? "No unposted uploads" : `${uploads.length} unposted uploads`}
        </h2>
        <p role="status" className="sr-only">
          {announcement}
        </p>
        {problem ? (
          <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
            {problem}
          </p>
        ) : null}
        {uploads.length === 0 ? (
          <div className="rounded-2xl border border-dashed border-slate-300 bg-white p-8 text-center">
            <p className="font-medium text-slate-800">Nothing waiting.</p>
            <p className="mt-1 text-sm text-slate-600">No finished upload of yours is waiting outside a post.</p>
            <a href="/" className="mt-4 inline-block text-sm font-semibold text-indigo-700 hover:underline">
              Back to the feed
            </a>
          </div>
        ) : (
          <>
            <p className="text-sm text-slate-600" data-testid="unposted-total">
              {uploads.length} {uploads.length === 1 ? "file" : "files"}, {formatBytes(totalShown)}
              {cursor ? " shown so far" : " in all"}.
            </p>
            <ul ref={list} className="divide-y divide-slate-200 rounded-2xl border border-slate-200 bg-white shadow-sm">
              {uploads.map((upload) => (
                <UnpostedRow
                  key={upload.id}
                  upload={upload}
                  now={now}
                  onDelete={(button) => {
                    opener.current = button;
                    setAsked(upload);
                  }}
                />
              ))}
            </ul>
            {cursor ? (
              <button
                type="button"
                onClick={() => void showMore()}
                disabled={loading}
                className="w-full rounded-lg border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-60"
              >
                {loading ? "Loading…" : "Show more"}
              </button>
            ) : null}
          </>
        )}
      </section>
      <ConfirmDialog
        open={asked !== null}
        title={`Delete “${asked?.fileName ?? ""}”?`}
        cancelLabel="Cancel"
        confirmLabel={deleting ? "Deleting…" : "Delete"}
        busy={deleting}
        onConfirm={() => void confirmDelete()}
        onCancel={() => !deleting && setAsked(null)}
        returnFocus={opener}
      >
        {asked ? (
          <p>
            The file ({formatBytes(asked.size)}) is deleted from storage for good. It cannot be posted afterwards; the
            file on your device is not touched.
          </p>
        ) : null}
      </ConfirmDialog>
    </>
  );
}

function UnpostedRow(props: { upload: UnpostedUpload; now: number; onDelete: (button: HTMLButtonElement) => void }) {
  const { upload, now, onDelete } = props;
  const finished = new Date(upload.completedAt);
  return (
    <li className="flex items-center gap-3 p-3 sm:gap-4 sm:p-4" data-testid="unposted-row">
      <Thumbnail upload={upload} />
      <div className="min-w-0 flex-1">
        <p className="truncate font-medium text-slate-900" title={upload.fileName}>
          {upload.fileName}
        </p>
        <p className="text-sm text-slate-600">
          {formatBytes(upload.size)} ·{" "}
          <time dateTime={upload.completedAt} title={finished.toLocaleString()}>
            finished {relativeTime(upload.completedAt, now)}
          </time>
        </p>
        <p className="text-xs text-slate-500">
          Deleted by itself{" "}
          <time dateTime={upload.deletesAt} title={new Date(upload.deletesAt).toLocaleString()}>
            {relativeTime(upload.deletesAt, now)}
          </time>{" "}
          unless posted
        </p>
      </div>
      <button
        type="button"
        data-delete
        onClick={(event) => onDelete(event.currentTarget)}
        aria-label={`Delete ${upload.fileName}`}
        className="shrink-0 rounded-lg border border-red-200 px-3 py-2 text-sm font-medium text-red-700 hover:bg-red-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-300"
      >
        Delete
      </button>
    </li>
  );
}

/** The image itself, small; a film or file sign otherwise (and when the image cannot load). */
function Thumbnail({ upload }: { upload: UnpostedUpload }) {
  const [failed, setFailed] = useState(false);
  const box = "h-14 w-14 shrink-0 rounded-lg sm:h-16 sm:w-16";
  if (upload.previewUrl && !failed)
    return (
      <img
        src={upload.previewUrl}
        alt=""
        loading="lazy"
        onError={() => setFailed(true)}
        className={`${box} bg-slate-100 object-cover`}
      />
    );
  const video = upload.contentType.startsWith("video/");
  return (
    <span aria-hidden="true" className={`${box} flex items-center justify-center bg-slate-100 text-slate-500`}>
      <svg viewBox="0 0 24 24" className="h-7 w-7 fill-none stroke-current" strokeWidth="1.6">
        {video ? (
          <>
            <rect x="3" y="5" width="13" height="14" rx="2" />
            <path d="m16 10 5-3v10l-5-3" />
          </>
        ) : (
          <>
            <path d="M6 3h8l4 4v14H6z" />
            <path d="M14 3v4h4" />
          </>
        )}
      </svg>
    </span>
  );
}
