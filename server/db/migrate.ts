/* eslint-disable @typescript-eslint/no-explicit-any -- the migrator works on any schema */
import { promises as fs } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FileMigrationProvider, Migrator, type Kysely, type MigrationResultSet } from "kysely";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations", import.meta.url));

export class MigrationError extends Error {
  constructor(
    readonly migrationName: string | undefined,
    override readonly cause: unknown,
  ) {
    super(
      `Migration ${migrationName ?? "(unknown)"} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = "MigrationError";
  }
}

export interface MigrationSource {
  folder?: string;
  /** Kysely's bookkeeping table; tests use another one to run a folder of their own. */
  tableName?: string;
}

export function createMigrator(db: Kysely<any>, source: MigrationSource = {}): Migrator {
  const tables = source.tableName
    ? { migrationTableName: source.tableName, migrationLockTableName: `${source.tableName}_lock` }
    : {};
  return new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: source.folder ?? MIGRATIONS_DIR }),
    ...tables,
  });
}

function check({ error, results }: MigrationResultSet): string[] {
  if (error) {
    const failed = results?.find((r) => r.status === "Error");
    throw new MigrationError(failed?.migrationName, error);
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** Applies every pending migration; returns the names applied. Throws MigrationError naming the one that failed. */
export async function migrateToLatest(db: Kysely<any>, source?: MigrationSource): Promise<string[]> {
  return check(await createMigrator(db, source).migrateToLatest());
}

export async function migrateDown(db: Kysely<any>, source?: MigrationSource): Promise<string[]> {
  return check(await createMigrator(db, source).migrateDown());
}
