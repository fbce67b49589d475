import { redirect } from "@remix-run/node";
import type { User } from "../db/schema.js";
import { apiError } from "../http/responses.js";
import type { Services } from "../services.js";
import {
  createSessionRecord,
  deleteEndedSessions,
  deleteSessionRecord,
  deleteUserSessions,
  findSessionUser,
} from "./session-records.js";

const cookieSession = (request: Request, services: Services) =>
  services.sessions.getSession(request.headers.get("Cookie"));

/** The user the request's session signs in: its record must exist and be neither expired nor idle. */
export async function getSessionUser(request: Request, services: Services): Promise<User | undefined> {
  const token = (await cookieSession(request, services)).get("sessionToken");
  const user = token ? await findSessionUser(services.db, token, services.config.session, services.now()) : undefined;
  if (user && services.request) services.request.userId = user.id;
  return user;
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

/** Signs the user in: a new session record and a fresh cookie (no fixation) carrying only its token. */
export async function commitSignIn(services: Services, request: Request, user: User, returnTo: string) {
  const now = services.now();
  await deleteEndedSessions(services.db, services.config.session, now);
  const token = await createSessionRecord(services.db, user.id, services.config.session, now);
  const old = await cookieSession(request, services);
  const headers = new Headers();
  if (old.id || old.has("sessionToken") || old.has("returnTo"))
    headers.append("Set-Cookie", await services.sessions.destroySession(old));
  const session = await services.sessions.getSession();
  session.set("sessionToken", token);
  headers.set("Set-Cookie", await services.sessions.commitSession(session));
  return redirect(returnTo, { headers });
}

/**
 * Signs out: the session record goes (with `everywhere`, every session of its user), so the cookie,
 * and any copy of it, stops working at once; the cookie is cleared too.
 */
export async function commitSignOut(services: Services, request: Request, options: { everywhere: boolean }) {
  const session = await cookieSession(request, services);
  const token = session.get("sessionToken");
  if (token) {
    const userId = await deleteSessionRecord(services.db, token);
    if (userId && options.everywhere) await deleteUserSessions(services.db, userId);
  }
  return redirect("/login", { headers: { "Set-Cookie": await services.sessions.destroySession(session) } });
}
