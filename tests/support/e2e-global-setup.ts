import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalS3 } from "../../server/local-s3/index.js";
import { startFakeGitHub } from "./fake-github.js";
import { TEST_CREDENTIALS } from "./local-s3.js";
import { createDatabaseFromTemplate, startTestCluster } from "./postgres.js";
import { waitForHttp } from "./wait.js";
import { E2E_PART_MIB } from "./e2e-settings.js";

/** Everything the app prints: JSON lines (LOG_FORMAT=json). */
const APP_LOG = "test-results/e2e-app.log";

/**
 * Starts what the end-to-end suite runs against: PostgreSQL, the local S3 (with its fault and stats
 * endpoints), the fake GitHub and the app itself as its own process. Workers find them through E2E_* variables.
 */
export default async function globalSetup() {
  const port = Number(process.env.E2E_PORT);
  const appUrl = `http://localhost:${port}`;
  const dir = await mkdtemp(join(tmpdir(), "feedup-e2e-"));
  await chmod(dir, 0o755);
  const cluster = await startTestCluster();
  const database = await createDatabaseFromTemplate(cluster.adminUrl, "feedup_e2e");
  const s3 = await startLocalS3({
    dataDir: join(dir, "s3"),
    credentials: TEST_CREDENTIALS,
    buckets: ["feedup-e2e"],
    corsOrigins: [appUrl],
  });
  const github = await startFakeGitHub();
  const sessionSecret = `e2e-session-secret-${Date.now()}-0123456789abcdef`;

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "test",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    PORT: String(port),
    APP_URL: appUrl,
    DATA_DIR: join(dir, "app-data"),
    DATABASE_URL: database.url,
    S3_ENDPOINT: s3.url,
    S3_BUCKET: "feedup-e2e",
    S3_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    S3_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    GITHUB_CLIENT_ID: github.clientId,
    GITHUB_CLIENT_SECRET: github.clientSecret,
    GITHUB_URL: github.url,
    GITHUB_API_URL: github.url,
    SESSION_SECRET: sessionSecret,
    // The fake GitHub serves the avatars; the defaults stay allowed too.
    CSP_IMG_SOURCES: `${github.url} https://avatars.githubusercontent.com https://www.gravatar.com`,
    // Short-lived part URLs: a throttled upload in the suite outlives them and must re-sign.
    UPLOAD_URL_TTL: "10s",
    // The bucket exists but has no CORS rule of its own: the app adds it, as in a MinIO-style setup.
    S3_PREPARE_BUCKET: "true",
    // JSON lines at debug into test-results/e2e-app.log, which the logging tests read.
    LOG_FORMAT: "json",
    LOG_LEVEL: "debug",
    // S3's smallest parts and short backoffs, so the retry drills take seconds: a part's attempts are
    // spent in well under a second, after which the waiting phase probes (within 5 s at first). The
    // stall timeout stays at its default; the restart drill runs its own app on all defaults.
    UPLOAD_PART_SIZE: `${E2E_PART_MIB}MiB`,
    UPLOAD_RETRY_BASE: "200ms",
    UPLOAD_RETRY_CAP: "1s",
    UPLOAD_RETRY_ATTEMPTS: "4",
  };
  await mkdir("test-results", { recursive: true });
  const log = createWriteStream(APP_LOG);
  const app = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  app.stdout.pipe(log);
  app.stderr.pipe(log);
  const exited = new Promise<void>((resolve) => app.once("exit", () => resolve()));
  await waitForHttp(`${appUrl}/healthz`, { timeoutMs: 60_000, whileAlive: app });

  Object.assign(process.env, {
    E2E_APP_URL: appUrl,
    E2E_APP_LOG: APP_LOG,
    E2E_DATABASE_URL: database.url,
    E2E_S3_URL: s3.url,
    E2E_S3_BUCKET: "feedup-e2e",
    E2E_SECRETS: JSON.stringify([sessionSecret, github.clientSecret, TEST_CREDENTIALS.secretAccessKey]),
    E2E_ADMIN_DATABASE_URL: cluster.adminUrl,
  });

  return async () => {
    app.kill("SIGINT");
    await exited;
    await github.stop();
    await s3.stop();
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
