import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loader as home } from "~/routes/_index";
import { loader as me } from "~/routes/api.me";
import { action as logout } from "~/routes/logout";
import { action as logoutEverywhere } from "~/routes/logout.everywhere";
import { call } from "../support/requests.js";
import { startTestApp, type TestApp } from "../support/services.js";
import { signInAs } from "../support/uploads.js";

const MINUTE = 60_000;
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ SESSION_LIFETIME: "2h", SESSION_IDLE_TIMEOUT: "30m" });
});
afterAll(async () => app.close());

const status = async (cookie: string) => (await call(me, app.services, "/api/me", { cookie })).status;
const sessionsOf = async (login: string) =>
  app.db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select(["token_hash", "last_seen_at"])
    .where("users.login", "=", login)
    .execute();

describe("server-side sessions", () => {
  it("signing out ends the old cookie's power at once: the API answers 401 and pages send to sign-in", async () => {
    const cookie = await signInAs(app.services, "leaver");
    expect(await status(cookie)).toBe(200);
    const response = await call(logout, app.services, "/logout", { method: "POST", cookie });
    expect([response.status, response.headers.get("location")]).toEqual([302, "/login"]);
    // The old cookie, replayed as it was before signing out (say, copied from another machine).
    expect(await status(cookie)).toBe(401);
    const page = await call(home, app.services, "/", { cookie });
    expect([page.status, page.headers.get("location")]).toEqual([302, "/login"]);
    expect(await sessionsOf("leaver")).toEqual([]);
  });

  it("signing out everywhere ends every session of that user, and only theirs", async () => {
    const laptop = await signInAs(app.services, "many-devices");
    const phone = await signInAs(app.services, "many-devices");
    const someoneElse = await signInAs(app.services, "bystander");
    expect(await sessionsOf("many-devices")).toHaveLength(2);
    const response = await call(logoutEverywhere, app.services, "/logout/everywhere", {
      method: "POST",
      cookie: phone,
    });
    expect(response.headers.get("location")).toBe("/login");
    expect([await status(laptop), await status(phone), await status(someoneElse)]).toEqual([401, 401, 200]);
    expect(await sessionsOf("many-devices")).toEqual([]);
  });

  it("signing out of one device leaves the others signed in", async () => {
    const laptop = await signInAs(app.services, "two-devices");
    const phone = await signInAs(app.services, "two-devices");
    await call(logout, app.services, "/logout", { method: "POST", cookie: phone });
    expect([await status(laptop), await status(phone)]).toEqual([200, 401]);
  });

  it("keeps only a hash of the token: the cookie's value is nowhere in the table", async () => {
    const cookie = await signInAs(app.services, "hashed");
    const session = await app.services.sessions.getSession(cookie);
    const token = session.get("sessionToken")!;
    const [row] = await sessionsOf("hashed");
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(row!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.token_hash).not.toContain(token);
  });

  it("ends a session left idle for SESSION_IDLE_TIMEOUT; use keeps it alive", async () => {
    const idle = await signInAs(app.services, "idle");
    const busy = await signInAs(app.services, "busy");
    for (let step = 0; step < 3; step += 1) {
      app.clock.advance(20 * MINUTE);
      expect(await status(busy), `busy after ${(step + 1) * 20} min`).toBe(200);
    }
    expect(await status(idle)).toBe(401);
  });

  it("ends a session SESSION_LIFETIME after sign-in, however busy", async () => {
    const cookie = await signInAs(app.services, "long-day");
    for (let elapsed = 0; elapsed < 120; elapsed += 20) {
      expect(await status(cookie), `after ${elapsed} min`).toBe(200);
      app.clock.advance(20 * MINUTE);
    }
    expect(await status(cookie)).toBe(401);
  });

  it("forgets ended sessions when someone signs in", async () => {
    await signInAs(app.services, "forgotten");
    app.clock.advance(3 * 60 * MINUTE);
    await signInAs(app.services, "newcomer");
    expect(await sessionsOf("forgotten")).toEqual([]);
    expect(await sessionsOf("newcomer")).toHaveLength(1);
  });

  it("refuses a validly signed cookie whose token has no session record", async () => {
    const session = await app.services.sessions.getSession();
    session.set("sessionToken", "made-up-token");
    const cookie = (await app.services.sessions.commitSession(session)).split(";")[0]!;
    expect(await status(cookie)).toBe(401);
  });
});
