import { useRef, useState } from "react";
import { clockTime, spokenDuration } from "~/posts/clock";
import { relativeTime } from "~/posts/relative-time";
import type { FeedMedia, FeedPost } from "~/shared/posts";
import { Avatar } from "../avatar";
import { ConfirmDialog } from "../confirm-dialog";

export function PostCard({ post, now, onDeleted }: { post: FeedPost; now: number; onDeleted: (id: string) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const name = post.author.name ?? post.author.login;
  const remove = async () => {
    setDeleting(true);
    setError(null);
    const response = await fetch(`/api/posts/${post.id}`, { method: "DELETE" }).catch(() => null);
    if (response?.ok) return onDeleted(post.id);
    setDeleting(false);
    setError("The post could not be deleted. Please try again.");
  };
  return (
    <article
      className="rounded-2xl border border-slate-200 bg-white p-4 shadow-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-300"
      data-testid="post"
      data-post-id={post.id}
      tabIndex={-1}
      aria-label={`Post by ${name}`}
    >
      <header className="flex items-center gap-3">
        <Avatar name={name} url={post.author.avatarUrl} size={40} />
        <div className="min-w-0 flex-1">
          <p className="truncate text-sm font-semibold">{name}</p>
          <p className="text-xs text-slate-500">
            @{post.author.login} ·{" "}
            <time dateTime={post.createdAt} title={new Date(post.createdAt).toUTCString()}>
              {relativeTime(post.createdAt, now)}
            </time>
          </p>
        </div>
        {post.mine ? (
          <button
            ref={deleteButton}
            type="button"
            onClick={() => setConfirming(true)}
            aria-haspopup="dialog"
            className="rounded-lg px-2 py-1 text-xs font-medium text-slate-500 hover:bg-slate-100 hover:text-red-700"
          >
            Delete
          </button>
        ) : null}
      </header>
      {post.mine ? (
        <ConfirmDialog
          open={confirming}
          title="Delete this post?"
          cancelLabel="Keep"
          confirmLabel={deleting ? "Deleting…" : "Delete post"}
          busy={deleting}
          onCancel={() => {
            setConfirming(false);
            setError(null);
          }}
          onConfirm={() => void remove()}
          returnFocus={deleteButton}
        >
          <p>It goes for everyone, with its {post.media ? "attachment" : "text"}. This cannot be undone.</p>
          {error ? (
            <p role="alert" className="mt-2 text-red-700">
              {error}
            </p>
          ) : null}
        </ConfirmDialog>
      ) : null}
      {post.text ? (
        <p className="mt-3 whitespace-pre-wrap break-words text-[15px] leading-relaxed" data-testid="post-text">
          {post.text}
        </p>
      ) : null}
      {post.media ? <PostMedia media={post.media} /> : null}
    </article>
  );
}

/**
 * The post's video or photo. The box is sized from the stored width and height before anything loads
 * (no layout shift); a video shows its poster frame and its length until it plays.
 */
function PostMedia({ media }: { media: FeedMedia }) {
  const [started, setStarted] = useState(false);
  // The box has the media's shape, as wide as the card unless that would make it taller than 70% of
  // the screen (portrait video): then narrower and centred, with no black bars.
  const sized =
    media.width && media.height
      ? {
          aspectRatio: `${media.width} / ${media.height}`,
          width: `min(100%, calc(70vh * ${media.width} / ${media.height}))`,
        }
      : undefined;
  const video = media.contentType.startsWith("video/");
  return (
    <div className="relative mx-auto mt-3 max-h-[70vh] overflow-hidden rounded-xl bg-slate-900" style={sized}>
      {video ? (
        <video
          controls
          preload="metadata"
          playsInline
          src={media.url}
          poster={media.posterUrl ?? undefined}
          width={media.width ?? undefined}
          height={media.height ?? undefined}
          onPlay={() => setStarted(true)}
          className={`w-full ${sized ? "h-full" : "max-h-[70vh]"}`}
          data-testid="post-video"
        />
      ) : (
        <img
          src={media.url}
          alt=""
          loading="lazy"
          className={`w-full object-contain ${sized ? "h-full" : "max-h-[70vh]"}`}
          width={media.width ?? undefined}
          height={media.height ?? undefined}
        />
      )}
      {video && media.durationSeconds && !started ? (
        <span
          className="pointer-events-none absolute right-2 top-2 rounded bg-black/70 px-1.5 py-0.5 text-xs font-semibold tabular-nums text-white"
          data-testid="post-duration"
        >
          <span aria-hidden="true">{clockTime(media.durationSeconds)}</span>
          <span className="sr-only">Video, {spokenDuration(media.durationSeconds)}</span>
        </span>
      ) : null}
    </div>
  );
}
