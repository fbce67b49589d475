import type { DB } from "../db/connection.js";
import { isUuid } from "../db/ids.js";
import type { User } from "../db/schema.js";

export interface GitHubProfile {
  githubId: number;
  login: string;
  name: string | null;
  avatarUrl: string | null;
}

/** Creates the user on first GitHub sign-in; later sign-ins refresh login, name and avatar. */
export async function upsertGitHubUser(db: DB, profile: GitHubProfile): Promise<User> {
  return db
    .insertInto("users")
    .values({ github_id: profile.githubId, login: profile.login, name: profile.name, avatar_url: profile.avatarUrl })
    .onConflict((oc) =>
      oc.column("github_id").doUpdateSet({
        login: profile.login,
        name: profile.name,
        avatar_url: profile.avatarUrl,
        updated_at: new Date(),
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Development sign-in: a local user identified by login alone. */
export async function findOrCreateLocalUser(db: DB, login: string): Promise<User> {
  const existing = await db
    .selectFrom("users")
    .selectAll()
    .where("github_id", "is", null)
    .where("login", "=", login)
    .executeTakeFirst();
  if (existing) return existing;
  return db
    .insertInto("users")
    .values({ login, name: login, github_id: null, avatar_url: null })
    .onConflict((oc) => oc.column("login").where("github_id", "is", null).doUpdateSet({ updated_at: new Date() }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findUserById(db: DB, id: string): Promise<User | undefined> {
  if (!isUuid(id)) return undefined;
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}
