import { describe, expect, it } from "vitest";
import { firstClosedFolder, type SystemUser } from "../../server/db/postgres-user.js";

const root = { uid: 0, gid: 0 };
/** A tree of folders: path → owner, group and mode; anything else does not exist. */
const tree = (folders: Record<string, { uid: number; gid: number; mode: number }>) => (folder: string) =>
  folders[folder];
const postgres: SystemUser = { uid: 101, gids: [104, 103] };

describe("firstClosedFolder", () => {
  const private700 = tree({
    "/": { ...root, mode: 0o755 },
    "/tmp": { ...root, mode: 0o1777 },
    "/tmp/tmp.abc": { ...root, mode: 0o700 },
    "/tmp/tmp.abc/project": { ...root, mode: 0o755 },
  });

  it("names the private folder (mktemp -d) on the way, for an existing user and for one created later", () => {
    expect(firstClosedFolder("/tmp/tmp.abc/project/.data/postgres", postgres, private700)).toBe("/tmp/tmp.abc");
    expect(firstClosedFolder("/tmp/tmp.abc/project/.data/postgres", undefined, private700)).toBe("/tmp/tmp.abc");
  });

  it("lets the user in through the owner or group bits when those are its own", () => {
    const owned = tree({ "/": { ...root, mode: 0o755 }, "/srv": { uid: 101, gid: 0, mode: 0o700 } });
    const grouped = tree({ "/": { ...root, mode: 0o755 }, "/srv": { uid: 0, gid: 103, mode: 0o750 } });
    const groupClosed = tree({ "/": { ...root, mode: 0o755 }, "/srv": { uid: 0, gid: 103, mode: 0o705 } });
    expect(firstClosedFolder("/srv/data", postgres, owned)).toBeUndefined();
    expect(firstClosedFolder("/srv/data", postgres, grouped)).toBeUndefined();
    // Group bits decide for a member, even when "others" may enter.
    expect(firstClosedFolder("/srv/data", postgres, groupClosed)).toBe("/srv");
    // A user created later is in none of these groups.
    expect(firstClosedFolder("/srv/data", undefined, grouped)).toBe("/srv");
  });

  it("finds nothing closed on an open path; folders still to be made do not count", () => {
    const open = tree({ "/": { ...root, mode: 0o755 }, "/var": { ...root, mode: 0o755 } });
    expect(firstClosedFolder("/var/lib/feedup/postgres", postgres, open)).toBeUndefined();
  });
});
