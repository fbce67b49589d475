import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { AppShell } from "~/components/app-shell";
import { requireUser } from "../../server/auth/guards";

export const meta: MetaFunction = () => [{ title: "Feed · Feedup" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context.services);
  return json({ user: { login: user.login, name: user.name, avatarUrl: user.avatar_url } });
}

export default function Home() {
  const { user } = useLoaderData<typeof loader>();
  return (
    <AppShell user={user}>
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
