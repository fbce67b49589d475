import { createCookieSessionStorage, type Session, type SessionStorage } from "@remix-run/node";

export interface SessionData {
  userId: string;
  /** Where to go after the GitHub round trip. */
  returnTo: string;
}

export interface SessionFlash {
  error: string;
}

export type AppSessionStorage = SessionStorage<SessionData, SessionFlash>;
export type AppSession = Session<SessionData, SessionFlash>;

export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

/** httpOnly, SameSite=Lax; in production Secure with the __Host- prefix (no Domain, Path=/). */
export function createSessionStorage(options: { secret: string; secure: boolean }): AppSessionStorage {
  return createCookieSessionStorage<SessionData, SessionFlash>({
    cookie: {
      name: options.secure ? "__Host-session" : "__session",
      httpOnly: true,
      sameSite: "lax",
      secure: options.secure,
      path: "/",
      maxAge: SESSION_MAX_AGE_SECONDS,
      secrets: [options.secret],
    },
  });
}
