import type { ReactNode } from "react";
import { AccountMenu } from "./account-menu";

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
          <AccountMenu displayName={displayName} avatarUrl={user.avatarUrl} />
        </div>
      </header>
      <main className="mx-auto max-w-2xl px-4 py-6">{children}</main>
    </div>
  );
}
