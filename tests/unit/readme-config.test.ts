import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { envSchema } from "../../server/config/env.js";

interface Row {
  variables: string[];
  defaultCell: string;
  meaning: string;
}

/** The rows of the README's "Configuration" table. */
function configurationTable(): Row[] {
  const readme = readFileSync("README.md", "utf8");
  const section = readme.split(/^## Configuration$/m)[1]?.split(/^## /m)[0] ?? "";
  return section
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => {
      const [variables = "", defaultCell = "", meaning = ""] = line.split(" | ").map((cell) => cell.replace(/^\|/, ""));
      return {
        variables: [...variables.matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]!),
        defaultCell: defaultCell.trim(),
        meaning: meaning.trim(),
      };
    });
}

/** The literal default a row states: its default cell when that is one `value`, else "(default `value`)". */
function statedDefault(row: Row): string | undefined {
  return row.defaultCell.match(/^`([^`]*)`$/)?.[1] ?? row.meaning.match(/\(default `([^`]*)`\)/)?.[1];
}

const fields = envSchema.shape as Record<string, (typeof envSchema.shape)[keyof typeof envSchema.shape]>;

describe("README configuration table", () => {
  const rows = configurationTable();
  const documented = rows.flatMap((row) => row.variables.map((variable) => ({ variable, row })));

  it("lists exactly the variables of the environment schema, once each", () => {
    const names = documented.map((d) => d.variable);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(Object.keys(envSchema.shape).sort());
  });

  it("states each schema default, and it parses to the value the app uses", () => {
    for (const { variable, row } of documented) {
      const field = fields[variable]!;
      const schemaDefault: unknown = field.parse(undefined);
      if (schemaDefault === undefined) continue; // derived or optional: described in words
      const stated = statedDefault(row);
      expect(stated, `${variable} must state its default`).toBeDefined();
      expect(field.parse(stated), `${variable}'s documented default`).toEqual(schemaDefault);
    }
  });

  it("describes every variable", () => {
    for (const row of rows) {
      expect(row.defaultCell, `${row.variables.join(", ")} default`).not.toBe("");
      expect(row.meaning.length, `${row.variables.join(", ")} meaning`).toBeGreaterThan(10);
    }
  });
});

describe("README limits table", () => {
  it("names only settings the environment schema has", () => {
    const readme = readFileSync("README.md", "utf8");
    const section = readme.split(/^## Limits$/m)[1]?.split(/^## /m)[0] ?? "";
    const settings = section
      .split("\n")
      .filter((line) => line.startsWith("| "))
      .flatMap((line) => [...(line.split(" | ")[2] ?? "").matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]!));
    expect(settings.length).toBeGreaterThan(10);
    for (const setting of settings) expect(Object.keys(envSchema.shape), setting).toContain(setting);
  });
});
