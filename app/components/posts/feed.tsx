import { useEffect, useRef, useState } from "react";
import type { FeedPage, FeedPost } from "~/shared/posts";
import { PostCard } from "./post-card";

/** The feed, newest first: the loader's first page, then "Load more" pages from /api/posts. */
export function Feed({ first, now }: { first: FeedPage; now: number }) {
  const [posts, setPosts] = useState<FeedPost[]>(first.posts);
  const [cursor, setCursor] = useState(first.nextCursor);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const section = useRef<HTMLElement>(null);
  // After a delete, focus goes to the post that took its place (or the one before, or the feed), not
  // to the top of the page with the dialog that had it.
  const [focusAfterDelete, setFocusAfterDelete] = useState<string | null>(null);
  useEffect(() => {
    if (focusAfterDelete === null) return;
    const next = section.current?.querySelector<HTMLElement>(`[data-post-id="${focusAfterDelete}"]`);
    (next ?? section.current)?.focus();
    setFocusAfterDelete(null);
  }, [focusAfterDelete]);
  const deleted = (id: string) => {
    const index = posts.findIndex((p) => p.id === id);
    const neighbour = posts[index + 1] ?? posts[index - 1];
    setPosts((current) => current.filter((p) => p.id !== id));
    setFocusAfterDelete(neighbour?.id ?? "");
  };

  // A new post (the loader revalidates) starts the feed over from the top.
  useEffect(() => {
    setPosts(first.posts);
    setCursor(first.nextCursor);
  }, [first]);

  const loadMore = async () => {
    if (!cursor) return;
    setLoading(true);
    setError(null);
    const response = await fetch(`/api/posts?cursor=${encodeURIComponent(cursor)}`).catch(() => null);
    setLoading(false);
    if (!response?.ok) return setError("More posts could not be loaded. Please try again.");
    const page = (await response.json()) as FeedPage;
    setPosts((current) => [...current, ...page.posts.filter((p) => !current.some((c) => c.id === p.id))]);
    setCursor(page.nextCursor);
  };

  if (posts.length === 0) {
    return (
      <section
        ref={section}
        tabIndex={-1}
        aria-label="Feed"
        className="rounded-2xl border border-dashed border-slate-300 bg-white p-10 text-center focus:outline-none"
      >
        <h2 className="text-lg font-semibold">No posts yet</h2>
        <p className="mt-1 text-sm text-slate-500">When people share videos and photos, they will show up here.</p>
      </section>
    );
  }
  return (
    <section ref={section} tabIndex={-1} aria-label="Feed" className="space-y-4 focus:outline-none">
      {posts.map((post) => (
        <PostCard key={post.id} post={post} now={now} onDeleted={deleted} />
      ))}
      {error ? (
        <p role="alert" className="text-center text-sm text-red-700">
          {error}
        </p>
      ) : null}
      {cursor ? (
        <div className="flex justify-center">
          <button
            type="button"
            onClick={() => void loadMore()}
            disabled={loading}
            className="rounded-lg border border-slate-300 bg-white px-4 py-2 text-sm font-medium hover:bg-slate-50 disabled:opacity-60"
          >
            {loading ? "Loading…" : "Load more"}
          </button>
        </div>
      ) : (
        <p className="text-center text-xs text-slate-400">You are all caught up.</p>
      )}
    </section>
  );
}
