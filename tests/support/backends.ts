/**
 * One PostgreSQL database and one local S3 (its own process) that several app processes share, as
 * instances behind a load balancer do; for the multi-instance and restart tests.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, HeadObjectCommand, ListPartsCommand } from "@aws-sdk/client-s3";
import pg from "pg";
import { multipartEtag } from "../../server/local-s3/checksums.js";
import type { FaultRuleInput, Stats } from "../../server/local-s3/index.js";
import { TEST_CREDENTIALS, objectSha256, s3Client } from "./local-s3.js";
import { createDatabaseFromTemplate } from "./postgres.js";
import { startAppProcess, startLocalS3Process, type RunningApp, type SpawnedProcess } from "./processes.js";

export const SHARED_BUCKET = "feedup-shared";

export interface StoredUpload {
  status: string;
  ledgerMatchesObject: boolean;
  sha256?: string;
}

export interface SharedBackends {
  databaseUrl: string;
  s3Url: string;
  s3DataDir: string;
  /** The local S3 process: stop it and start it again on the same data and port. */
  s3Process: SpawnedProcess;
  /** Stops the local S3 with `signal` (SIGKILL: a crash) and starts it again on the same data and port. */
  restartS3(signal?: NodeJS.Signals): Promise<void>;
  /** ListParts as S3 has it (part number → ETag). */
  listParts(key: string, uploadId: string): Promise<Map<number, string>>;
  headObject(key: string): Promise<{ size: number; etag: string } | undefined>;
  readObject(key: string): Promise<Buffer>;
  /** SHA-256 (hex) of a stored object, streamed. */
  objectSha256(key: string): Promise<string>;
  /**
   * A completed upload's ledger against S3: its row's status, whether the row's ETag is the object's and
   * the ledger's part ETags make that ETag (S3's multipart rule), and the object's SHA-256 (undefined: no object).
   */
  storedUpload(id: string): Promise<StoredUpload>;
  /** The local S3's fault rules and per-operation counters (`/_local/*`). */
  setFaults(rules: FaultRuleInput[]): Promise<void>;
  stats(): Promise<Stats>;
  resetStats(): Promise<void>;
  /** One query on a connection of its own (the database may have restarted since the last one). */
  query<T extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]>;
  /** The ledger's row of an upload. */
  uploadRow(id: string): Promise<{ s3_key: string; s3_upload_id: string; status: string; etag: string | null }>;
  /** An app instance on these backends; `env` adds or overrides settings. */
  startApp(env?: Record<string, string>): Promise<RunningApp>;
  stop(): Promise<void>;
}

/** A fresh database (cloned from the e2e template, unless `databaseUrl` is given) and a local S3 process. */
export async function startSharedBackends(options: { databaseUrl?: string } = {}): Promise<SharedBackends> {
  const dir = await mkdtemp(join(tmpdir(), "feedup-shared-"));
  await chmod(dir, 0o755);
  const database = options.databaseUrl
    ? undefined
    : await createDatabaseFromTemplate(process.env.E2E_ADMIN_DATABASE_URL!, `shared_${randomBytes(5).toString("hex")}`);
  const databaseUrl = options.databaseUrl ?? database!.url;
  const s3DataDir = join(dir, "s3");
  let s3Process = await startLocalS3Process({ dataDir: s3DataDir, bucket: SHARED_BUCKET });
  const s3Url = s3Process.url;
  const client = s3Client(s3Url);
  const apps: RunningApp[] = [];
  async function query<T extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]> {
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      return (await db.query<T>(text, values)).rows;
    } finally {
      await db.end();
    }
  }
  const sessionSecret = randomBytes(24).toString("base64url");
  const control = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${s3Url}${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const backends: SharedBackends = {
    databaseUrl,
    s3Url,
    s3DataDir,
    get s3Process() {
      return s3Process;
    },
    async restartS3(signal = "SIGINT") {
      await s3Process.stop(signal);
      s3Process = await startLocalS3Process({ dataDir: s3DataDir, bucket: SHARED_BUCKET });
      if (s3Process.url !== s3Url) throw new Error(`the local S3 came back on ${s3Process.url}, not ${s3Url}`);
    },
    async listParts(key, uploadId) {
      const page = await client.send(new ListPartsCommand({ Bucket: SHARED_BUCKET, Key: key, UploadId: uploadId }));
      return new Map((page.Parts ?? []).map((p) => [p.PartNumber!, p.ETag!]));
    },
    async headObject(key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: SHARED_BUCKET, Key: key }));
        return { size: head.ContentLength!, etag: head.ETag! };
      } catch {
        return undefined;
      }
    },
    query,
    async uploadRow(id) {
      const [row] = await query<Awaited<ReturnType<SharedBackends["uploadRow"]>>>(
        "select s3_key, s3_upload_id, status, etag from uploads where id = $1",
        [id],
      );
      if (!row) throw new Error(`no upload ${id}`);
      return row;
    },
    objectSha256: (key) => objectSha256(client, SHARED_BUCKET, key),
    async storedUpload(id) {
      const row = await backends.uploadRow(id);
      const parts = await query<{ etag: string }>(
        "select etag from upload_parts where upload_id = $1 order by part_number",
        [id],
      );
      const head = await backends.headObject(row.s3_key);
      if (!head) return { status: row.status, ledgerMatchesObject: false };
      const ledgerMatchesObject = row.etag === head.etag && multipartEtag(parts.map((p) => p.etag)) === head.etag;
      return { status: row.status, ledgerMatchesObject, sha256: await objectSha256(client, SHARED_BUCKET, row.s3_key) };
    },
    async readObject(key) {
      const object = await client.send(new GetObjectCommand({ Bucket: SHARED_BUCKET, Key: key }));
      return Buffer.from(await object.Body!.transformToByteArray());
    },
    async setFaults(rules) {
      await control("PUT", "/_local/faults", { seed: 1, rules });
    },
    stats: () => control("GET", "/_local/stats") as Promise<Stats>,
    async resetStats() {
      await control("DELETE", "/_local/stats");
    },
    async startApp(env = {}) {
      const app = await startAppProcess({
        NODE_ENV: "test",
        DATA_DIR: join(dir, `app-${apps.length}`),
        DATABASE_URL: databaseUrl,
        S3_ENDPOINT: s3Url,
        S3_BUCKET: SHARED_BUCKET,
        // An external S3 must let the app's origin upload (checked at start): each instance adds its rule.
        S3_PREPARE_BUCKET: "true",
        S3_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
        S3_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
        // Every instance must share the session secret: a cookie from one is valid at all of them.
        SESSION_SECRET: sessionSecret,
        GITHUB_CLIENT_ID: "",
        GITHUB_CLIENT_SECRET: "",
        UPLOAD_PART_SIZE: "5MiB",
        ...env,
      });
      apps.push(app);
      return app;
    },
    async stop() {
      await Promise.all(apps.map((app) => app.stop()));
      client.destroy();
      await s3Process.stop();
      await database?.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return backends;
}
