/** Avatars from a third party: Gravatar's identicons, only when the operator turns them on (AVATAR_GRAVATAR). */
import { createHash } from "node:crypto";

export const GRAVATAR_ORIGIN = "https://www.gravatar.com";

/** The identicon for a login (Gravatar receives the login's MD5, which is why it is off by default). */
export function gravatarFor(login: string): string {
  return `${GRAVATAR_ORIGIN}/avatar/${createHash("md5").update(login.trim().toLowerCase()).digest("hex")}?d=identicon&s=80`;
}
