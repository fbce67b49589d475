import { Form } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { Avatar } from "./avatar";

/** The signed-in person's menu: who they are, sign out here, or sign out on every device. */
export function AccountMenu({ displayName, avatarUrl }: { displayName: string; avatarUrl: string | null }) {
  const menu = useRef<HTMLDetailsElement>(null);

  // A menu closes when you click elsewhere or press Escape.
  useEffect(() => {
    const close = (event: Event) => {
      const details = menu.current;
      if (!details?.open) return;
      if (event instanceof KeyboardEvent ? event.key === "Escape" : !details.contains(event.target as Node)) {
        details.open = false;
        if (event instanceof KeyboardEvent) details.querySelector("summary")?.focus();
      }
    };
    document.addEventListener("click", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("click", close);
      document.removeEventListener("keydown", close);
    };
  }, []);

  const item = "block w-full rounded-lg px-3 py-2 text-left text-sm hover:bg-slate-100";
  return (
    <details ref={menu} className="relative">
      <summary
        aria-label="Account"
        className="flex cursor-pointer list-none items-center gap-2 rounded-full p-0.5 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-300 [&::-webkit-details-marker]:hidden"
      >
        <span className="hidden pl-2 text-sm text-slate-600 sm:inline" data-testid="signed-in-as">
          {displayName}
        </span>
        <Avatar name={displayName} url={avatarUrl} size={32} />
        <svg viewBox="0 0 20 20" aria-hidden="true" className="-ml-1 mr-1 h-4 w-4 fill-current text-slate-400">
          <path d="M5.3 7.3a1 1 0 0 1 1.4 0L10 10.6l3.3-3.3a1 1 0 1 1 1.4 1.4l-4 4a1 1 0 0 1-1.4 0l-4-4a1 1 0 0 1 0-1.4Z" />
        </svg>
      </summary>
      <div className="absolute right-0 mt-2 w-64 rounded-xl border border-slate-200 bg-white p-1.5 shadow-lg">
        <p className="truncate px-3 py-2 text-xs text-slate-500">
          Signed in as <span className="font-medium text-slate-700">{displayName}</span>
        </p>
        <a href="/uploads" className={`${item} text-slate-700`}>
          Unposted uploads
        </a>
        <Form method="post" action="/logout">
          <button type="submit" className={`${item} text-slate-700`}>
            Sign out
          </button>
        </Form>
        <Form method="post" action="/logout/everywhere">
          <button type="submit" className={`${item} text-red-700`}>
            Sign out everywhere
            <span className="block text-xs font-normal text-slate-500">Ends your sessions on every device.</span>
          </button>
        </Form>
      </div>
    </details>
  );
}
