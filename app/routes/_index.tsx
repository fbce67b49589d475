import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { AppShell } from "~/components/app-shell";
import { Composer } from "~/components/posts/composer";
import { Feed } from "~/components/posts/feed";
import { UnpostedNotice } from "~/components/upload/unposted-notice";
import { requireUser } from "../../server/auth/guards";
import { loaderCacheControl } from "../../server/http/document-headers";
import { feedPage } from "../../server/posts/service";
import { listUnfinishedUploads } from "../../server/uploads/service";
import { unpostedSummary } from "../../server/uploads/unposted";

export const meta: MetaFunction = () => [{ title: "Feed · Feedup" }];

export const headers = loaderCacheControl;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context.services);
  const [unfinished, feed, unposted] = await Promise.all([
    listUnfinishedUploads(context.services, user),
    feedPage(context.services, user),
    unpostedSummary(context.services, user),
  ]);
  if (!feed.ok) throw new Response(feed.error.message, { status: feed.error.status });
  if (!unfinished.ok) throw new Response(unfinished.error.message, { status: unfinished.error.status });
  return json(
    {
      user: { id: user.id, login: user.login, name: user.name, avatarUrl: user.avatar_url },
      allowedTypes: context.services.config.uploads.allowedTypes,
      // The first page: UPLOAD_MAX_UNFINISHED (20) keeps it whole unless an operator raises it past the page size.
      unfinished: unfinished.value.uploads,
      unposted,
      feed: feed.value,
      now: Date.now(),
    },
    // Presigned media URLs are short-lived: never cache the page.
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export default function Home() {
  const { user, allowedTypes, unfinished, unposted, feed, now } = useLoaderData<typeof loader>();
  return (
    <AppShell user={user}>
      <UnpostedNotice count={unposted.count} bytes={unposted.bytes} />
      <section
        aria-label="Share something"
        className="mb-6 space-y-3 rounded-2xl border border-slate-200 bg-white p-4 shadow-sm"
      >
        <Composer userId={user.id} allowedTypes={allowedTypes} unfinished={unfinished} />
      </section>
      <Feed first={feed} now={now} />
    </AppShell>
  );
}
