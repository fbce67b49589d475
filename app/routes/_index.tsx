import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { AppShell } from "~/components/app-shell";
import { Attachment } from "~/components/upload/attachment";
import { UnfinishedUploads } from "~/components/upload/unfinished-uploads";
import { requireUser } from "../../server/auth/guards";
import { listUnfinishedUploads } from "../../server/uploads/service";

export const meta: MetaFunction = () => [{ title: "Feed · Feedup" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context.services);
  return json({
    user: { id: user.id, login: user.login, name: user.name, avatarUrl: user.avatar_url },
    allowedTypes: context.services.config.uploads.allowedTypes,
    unfinished: await listUnfinishedUploads(context.services, user),
  });
}

export default function Home() {
  const { user, allowedTypes, unfinished } = useLoaderData<typeof loader>();
  return (
    <AppShell user={user}>
      <section
        aria-label="Share something"
        className="mb-6 space-y-3 rounded-2xl border border-slate-200 bg-white p-4 shadow-sm"
      >
        <UnfinishedUploads uploads={unfinished} />
        <Attachment userId={user.id} allowedTypes={allowedTypes} />
      </section>
      <section
        aria-label="Feed"
        className="rounded-2xl border border-dashed border-slate-300 bg-white p-10 text-center"
      >
        <h1 className="text-lg font-semibold">No posts yet</h1>
        <p className="mt-1 text-sm text-slate-500">When people share videos and photos, they will show up here.</p>
      </section>
    </AppShell>
  );
}
