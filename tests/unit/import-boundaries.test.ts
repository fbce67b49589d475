import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

const eslint = new ESLint({ cwd: process.cwd() });

/** The rule ids ESLint reports for `code` as if it lived at `filePath`. */
async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("import boundaries (ESLint)", () => {
  // The first lint loads the config and its plugins (seconds of module loading on a busy machine):
  // that is set-up, done once here, so each test times only its own linting.
  beforeAll(() => eslint.calculateConfigForFile("server/uploads/boundary-fixture.ts"), 60_000);

  it("refuses server/ imports from app/ outside the shared contract folder", async () => {
    const code = [
      'import { ApiError } from "../../app/upload/api.js";',
      'import { relativeTime } from "~/posts/relative-time";',
      "export const used = [ApiError, relativeTime];",
      "",
    ].join("\n");
    const messages = await restrictedImports("server/uploads/boundary-fixture.ts", code);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/only through app\/shared/);
  });

  it("lets server/ import the shared contract", async () => {
    const code = [
      'import { planParts } from "../../app/shared/plan.js";',
      'import type { FeedPage } from "~/shared/posts";',
      "export const used: [typeof planParts, FeedPage?] = [planParts];",
      "",
    ].join("\n");
    expect(await restrictedImports("server/uploads/boundary-fixture.ts", code)).toEqual([]);
  });

  it("refuses browser modules importing server/", async () => {
    const code = 'import { parseEnv } from "../../server/config/env.js";\nexport const used = parseEnv;\n';
    expect(await restrictedImports("app/components/boundary-fixture.ts", code)).toHaveLength(1);
  });

  it("lets routes and *.server.ts modules import server/", async () => {
    const code = 'import { parseEnv } from "../../server/config/env.js";\nexport const used = parseEnv;\n';
    expect(await restrictedImports("app/routes/boundary-fixture.ts", code)).toEqual([]);
    expect(await restrictedImports("app/components/boundary-fixture.server.ts", code)).toEqual([]);
  });
});
