import { json, redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import type { ApiErrorBody } from "~/shared/api-error";
import { LOCAL_LOGIN_PATTERN, LOCAL_LOGIN_RULE } from "~/shared/sign-in";
import { getSessionUser } from "../../server/auth/guards";
import { safeReturnTo } from "../../server/http/safe-redirect";

// The development sign-in's form posts to this page, so a refused name comes back as a field error here.
export { action } from "./auth.dev";

export const meta: MetaFunction = () => [{ title: "Sign in · Feedup" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { services } = context;
  const url = new URL(request.url);
  const returnTo = safeReturnTo(url.searchParams.get("returnTo"));
  if (await getSessionUser(request, services)) throw redirect(returnTo);
  const error = url.searchParams.get("error");
  return json({
    returnTo,
    github: Boolean(services.config.github),
    devSignIn: services.config.devSignIn,
    error: error === "github" ? "GitHub sign-in did not complete. Please try again." : null,
  });
}

export default function Login() {
  const { returnTo, github, devSignIn, error } = useLoaderData<typeof loader>();
  const refused = (useActionData() as ApiErrorBody | undefined)?.error;
  const loginError = refused ? (refused.fields?.login?.[0] ?? refused.message) : null;
  return (
    <main className="flex min-h-screen items-center justify-center bg-gradient-to-b from-indigo-50 to-slate-50 p-6">
      <div className="w-full max-w-sm rounded-2xl border border-slate-200 bg-white p-8 shadow-sm">
        <div className="mb-6 flex items-center gap-3">
          <img src="/favicon.svg" alt="" className="h-10 w-10" />
          <div>
            <h1 className="text-xl font-bold tracking-tight">Feedup</h1>
            <p className="text-sm text-slate-500">Share big videos and photos, even on a bad connection.</p>
          </div>
        </div>
        {error ? (
          <p role="alert" className="mb-4 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
            {error}
          </p>
        ) : null}
        {github ? (
          <Form method="post" action="/auth/github">
            <input type="hidden" name="returnTo" value={returnTo} />
            <button
              type="submit"
              className="flex w-full items-center justify-center gap-2 rounded-lg bg-slate-900 px-4 py-2.5 text-sm font-semibold text-white hover:bg-slate-700"
            >
              <svg viewBox="0 0 16 16" className="h-4 w-4 fill-current" aria-hidden="true">
                <path d="M8 0C3.58 0 0 3.58 0 8c0 3.54 2.29 6.53 5.47 7.59.4.07.55-.17.55-.38 0-.19-.01-.82-.01-1.49-2.01.37-2.53-.49-2.69-.94-.09-.23-.48-.94-.82-1.13-.28-.15-.68-.52-.01-.53.63-.01 1.08.58 1.23.82.72 1.21 1.87.87 2.33.66.07-.52.28-.87.51-1.07-1.78-.2-3.64-.89-3.64-3.95 0-.87.31-1.59.82-2.15-.08-.2-.36-1.02.08-2.12 0 0 .67-.21 2.2.82.64-.18 1.32-.27 2-.27.68 0 1.36.09 2 .27 1.53-1.04 2.2-.82 2.2-.82.44 1.1.16 1.92.08 2.12.51.56.82 1.27.82 2.15 0 3.07-1.87 3.75-3.65 3.95.29.25.54.73.54 1.48 0 1.07-.01 1.93-.01 2.2 0 .21.15.46.55.38A8.013 8.013 0 0016 8c0-4.42-3.58-8-8-8z" />
              </svg>
              Sign in with GitHub
            </button>
          </Form>
        ) : null}
        {devSignIn ? (
          <Form method="post" className="space-y-3">
            <div className="rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-xs text-amber-800">
              <strong>Development sign-in.</strong> No GitHub OAuth app is configured, so you can continue as a local
              user. This does not exist in production.
            </div>
            <input type="hidden" name="returnTo" value={returnTo} />
            <label className="block text-sm font-medium text-slate-700" htmlFor="login">
              Local user name
            </label>
            <input
              id="login"
              name="login"
              defaultValue="local-dev"
              pattern={LOCAL_LOGIN_PATTERN}
              title={LOCAL_LOGIN_RULE}
              required
              aria-invalid={loginError ? true : undefined}
              aria-describedby="login-rule"
              className="w-full rounded-lg border border-slate-300 px-3 py-2 text-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200"
            />
            <p
              id="login-rule"
              className={`text-xs ${loginError ? "font-medium text-red-700" : "text-slate-500"}`}
              role={loginError ? "alert" : undefined}
            >
              {loginError ?? LOCAL_LOGIN_RULE}
            </p>
            <button
              type="submit"
              className="w-full rounded-lg bg-indigo-600 px-4 py-2.5 text-sm font-semibold text-white hover:bg-indigo-500"
            >
              Continue as a local user
            </button>
          </Form>
        ) : null}
      </div>
    </main>
  );
}
