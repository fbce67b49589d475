import { Form } from "@remix-run/react";
import type { ReactNode } from "react";
import { Avatar } from "./avatar";

export interface ShellUser {
  login: string;
  name: string | null;
  avatarUrl: string | null;
}

export function AppShell({ user, children }: { user: ShellUser; children: ReactNode }) {
  const displayName = user.name ?? user.login;
  return (
    <div className="min-h-screen">
      <header className="sticky top-0 z-10 border-b border-slate-200 bg-white/80 backdrop-blur">
        <div className="mx-auto flex h-14 max-w-2xl items-center justify-between px-4">
          <a href="/" className="flex items-center gap-2 font-bold tracking-tight">
            <img src="/favicon.svg" alt="" className="h-7 w-7" />
            Feedup
          </a>
          <div className="flex items-center gap-3">
            <span className="hidden text-sm text-slate-600 sm:inline" data-testid="signed-in-as">
              {displayName}
            </span>
            <Avatar name={displayName} url={user.avatarUrl} size={32} />
            <Form method="post" action="/logout">
              <button
                type="submit"
                className="rounded-lg px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 hover:text-slate-900"
              >
                Sign out
              </button>
            </Form>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-2xl px-4 py-6">{children}</main>
    </div>
  );
}
