import { useState } from "react";
import { relativeTime } from "~/posts/relative-time";
import type { FeedPost } from "~/shared/posts";
import { Avatar } from "../avatar";

export function PostCard({ post, now, onDeleted }: { post: FeedPost; now: number; onDeleted: (id: string) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);
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
      className="rounded-2xl border border-slate-200 bg-white p-4 shadow-sm"
      data-testid="post"
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
        {post.mine && !confirming ? (
          <button
            type="button"
            onClick={() => setConfirming(true)}
            className="rounded-lg px-2 py-1 text-xs font-medium text-slate-500 hover:bg-slate-100 hover:text-red-700"
          >
            Delete
          </button>
        ) : null}
      </header>
      {confirming ? (
        <div
          role="alertdialog"
          aria-label="Delete this post?"
          className="mt-3 flex flex-wrap items-center justify-between gap-2 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800"
        >
          <span>Delete this post? This cannot be undone.</span>
          <span className="flex gap-2">
            <button
              type="button"
              onClick={() => setConfirming(false)}
              className="rounded-lg px-3 py-1 text-xs font-medium hover:bg-red-100"
            >
              Keep
            </button>
            <button
              type="button"
              disabled={deleting}
              onClick={() => void remove()}
              className="rounded-lg bg-red-600 px-3 py-1 text-xs font-semibold text-white hover:bg-red-500 disabled:opacity-60"
            >
              {deleting ? "Deleting…" : "Delete post"}
            </button>
          </span>
        </div>
      ) : null}
      {error ? (
        <p role="alert" className="mt-2 text-xs text-red-700">
          {error}
        </p>
      ) : null}
      <p className="mt-3 whitespace-pre-wrap break-words text-[15px] leading-relaxed">{post.text}</p>
      {post.media ? (
        <div className="mt-3 overflow-hidden rounded-xl bg-slate-900">
          {post.media.contentType.startsWith("video/") ? (
            <video
              controls
              preload="metadata"
              playsInline
              src={post.media.url}
              className="max-h-[70vh] w-full"
              data-testid="post-video"
            />
          ) : (
            <img
              src={post.media.url}
              alt=""
              loading="lazy"
              className="max-h-[70vh] w-full object-contain"
              width={post.media.width ?? undefined}
              height={post.media.height ?? undefined}
            />
          )}
        </div>
      ) : null}
    </article>
  );
}
