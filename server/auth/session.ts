import { createCookieSessionStorage, type Session, type SessionStorage } from "@remix-run/node";

export interface SessionData {
  /** The random token of the server-side session record (see session-records.ts). */
  sessionToken: string;
  /** Where to go after the GitHub round trip. */
  returnTo: string;
}

export interface SessionFlash {
  error: string;
}

export type AppSessionStorage = SessionStorage<SessionData, SessionFlash>;
export type AppSession = Session<SessionData, SessionFlash>;

export interface SessionSettings {
  secret: string;
  secure: boolean;
  /** A sign-in ends this long after it began, however active. */
  lifetimeMs: number;
  /** ... or once it has not been used for this long. */
  idleTimeoutMs: number;
}

/**
 * The cookie: signed, httpOnly, SameSite=Lax; in production Secure with the __Host- prefix (no Domain,
 * Path=/). It only carries a token: whether that token still signs anyone in is the database's call.
 */
export function createSessionStorage(settings: SessionSettings): AppSessionStorage {
  return createCookieSessionStorage<SessionData, SessionFlash>({
    cookie: {
      name: settings.secure ? "__Host-session" : "__session",
      httpOnly: true,
      sameSite: "lax",
      secure: settings.secure,
      path: "/",
      maxAge: Math.floor(settings.lifetimeMs / 1000),
      secrets: [settings.secret],
    },
  });
}
