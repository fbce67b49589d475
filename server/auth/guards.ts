import { redirect } from "@remix-run/node";
import type { User } from "../db/schema.js";
import { apiError } from "../http/responses.js";
import type { Services } from "../services.js";
import { findUserById } from "./users.js";

export async function getSessionUser(request: Request, services: Services): Promise<User | undefined> {
  const session = await services.sessions.getSession(request.headers.get("Cookie"));
  const userId = session.get("userId");
  return userId ? findUserById(services.db, userId) : undefined;
}

/** For pages: the signed-in user, or a redirect to sign-in that comes back here afterwards. */
export async function requireUser(request: Request, services: Services): Promise<User> {
  const user = await getSessionUser(request, services);
  if (user) return user;
  const url = new URL(request.url);
  const returnTo = `${url.pathname}${url.search}`;
  throw redirect(returnTo === "/" ? "/login" : `/login?${new URLSearchParams({ returnTo })}`);
}

/** For API routes: the signed-in user, or 401 JSON (never a redirect). */
export async function requireApiUser(request: Request, services: Services): Promise<User> {
  const user = await getSessionUser(request, services);
  if (user) return user;
  throw apiError(401, "unauthenticated", "Sign in to use this API.");
}

/** Signs the user in: a fresh session (no fixation) carrying only the user id. */
export async function commitSignIn(services: Services, request: Request, user: User, returnTo: string) {
  const old = await services.sessions.getSession(request.headers.get("Cookie"));
  const headers = new Headers();
  if (old.id || old.has("userId") || old.has("returnTo"))
    headers.append("Set-Cookie", await services.sessions.destroySession(old));
  const session = await services.sessions.getSession();
  session.set("userId", user.id);
  headers.set("Set-Cookie", await services.sessions.commitSession(session));
  return redirect(returnTo, { headers });
}
