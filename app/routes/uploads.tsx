import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { AppShell } from "~/components/app-shell";
import { UnpostedUploads } from "~/components/upload/unposted-uploads";
import { formatBytes } from "~/shared/format";
import { requireUser } from "../../server/auth/guards";
import { loaderCacheControl } from "../../server/http/document-headers";
import { listUnpostedUploads } from "../../server/uploads/unposted";

export const meta: MetaFunction = () => [{ title: "Unposted uploads · Feedup" }];

export const headers = loaderCacheControl;

/** "24 hours", "90 minutes", "2 days": how long unposted uploads are kept, in words. */
function keptFor(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes % (24 * 60) === 0 && minutes >= 48 * 60) return `${minutes / (24 * 60)} days`;
  if (minutes % 60 === 0) return minutes === 60 ? "1 hour" : `${minutes / 60} hours`;
  return `${minutes} minutes`;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context.services);
  const page = await listUnpostedUploads(context.services, user);
  if (!page.ok) throw new Response(page.error.message, { status: page.error.status });
  const settings = context.services.config.uploads;
  return json(
    {
      user: { login: user.login, name: user.name, avatarUrl: user.avatar_url },
      first: page.value,
      keptFor: keptFor(settings.orphanAfterMs),
      quotaBytes: settings.quotaBytes,
      now: Date.now(),
    },
    // Thumbnails are short-lived presigned URLs: never cache the page.
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export default function UnpostedUploadsPage() {
  const { user, first, keptFor, quotaBytes, now } = useLoaderData<typeof loader>();
  return (
    <AppShell user={user}>
      <div className="mb-5 space-y-2">
        <a href="/" className="text-sm font-medium text-indigo-700 hover:underline">
          ← Feed
        </a>
        <h1 className="text-2xl font-bold tracking-tight text-slate-900">Unposted uploads</h1>
        <p className="text-sm text-slate-600">
          Files you finished uploading that are in no post. They count toward your {formatBytes(quotaBytes)} upload
          quota, and each is deleted by itself {keptFor} after it finished unless you post it first.
        </p>
      </div>
      <UnpostedUploads first={first} now={now} />
    </AppShell>
  );
}
