import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiError, type UploadApi } from "../../app/upload/api.js";
import type { FileUpload, UploadState } from "../../app/upload/uploader.js";
import { startSharedBackends, type SharedBackends } from "../support/backends.js";
import { fileFromDisk, nodeFileUpload, signInForUploads } from "../support/node-uploader.js";
import { startMigratedPostgres } from "../support/postgres.js";
import { MiB, mp4Bytes, sha256Hex } from "../support/uploads.js";
import { expect, test } from "./fixtures.js";

// Restarts of what the app stands on, in the middle of an upload driven by the browser's own uploader
// (FileUpload, run in Node): the app process stays up and answers 503 while a dependency is away, the
// uploader retries and waits, and once the dependency is back the upload completes with nothing lost.

/** One part at a time with short backoffs and waits, so an outage falls between parts and is over in seconds. */
const APP_SETTINGS = {
  UPLOAD_CONCURRENCY: "1",
  UPLOAD_RETRY_BASE: "200ms",
  UPLOAD_RETRY_CAP: "1s",
  UPLOAD_RETRY_ATTEMPTS: "3",
  UPLOAD_WAIT_CAP: "2s",
};

const file = mp4Bytes(18 * MiB, 61); // 4 parts of 5 MiB (the last one 3 MiB)

/** Resolves with the first state of `upload` for which `holds` is true. */
function untilState(upload: FileUpload, holds: (state: UploadState) => boolean): Promise<UploadState> {
  return new Promise((resolve) => {
    if (holds(upload.getState())) return resolve(upload.getState());
    const stop = upload.subscribe((state) => {
      if (!holds(state)) return;
      stop();
      resolve(state);
    });
  });
}

const partsDone = (state: UploadState) => state.parts.filter((p) => p.phase === "done").length;

async function startUpload(dir: string, appUrl: string, login: string) {
  const path = join(dir, `${login}.mp4`);
  await writeFile(path, file);
  const { cookie, userId } = await signInForUploads(appUrl, login);
  return nodeFileUpload(await fileFromDisk(path, "video/mp4"), { appUrl, cookie, userId });
}

async function refusal(call: () => Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  const error = await call().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ApiError);
  const { status, code, message } = error as ApiError;
  return { status, code, message };
}

/** Calls that need `dependency` each answer 503 service_unavailable naming it. */
async function expectUnavailable(calls: Array<() => Promise<unknown>>, dependency: "database" | "storage") {
  const message =
    dependency === "database"
      ? "The database cannot be reached right now. Nothing was lost; please try again in a moment."
      : "File storage cannot be reached right now. Nothing was lost; please try again in a moment.";
  for (const call of calls) expect(await refusal(call)).toEqual({ status: 503, code: "service_unavailable", message });
}

/** The upload finished, its ledger is S3's, and the object holds the file's bytes. */
async function expectCompleteAndIntact(backends: SharedBackends, api: UploadApi, state: UploadState) {
  expect(state.phase).toBe("done");
  const id = state.uploadId!;
  expect((await api.get(id)).status).toBe("completed");
  expect(await backends.storedUpload(id)).toEqual({
    status: "completed",
    ledgerMatchesObject: true,
    sha256: sha256Hex(file),
  });
}

let dir: string;
test.beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "feedup-restarts-"));
  await chmod(dir, 0o755);
});
test.afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("PostgreSQL restarted mid-upload: the API answers 503 meanwhile, the uploader waits, and the upload completes", async () => {
  const clusterDir = join(dir, "cluster");
  let cluster = await startMigratedPostgres(clusterDir);
  const port = Number(new URL(cluster.url).port);
  const backends = await startSharedBackends({ databaseUrl: cluster.url });
  try {
    const app = await backends.startApp({ ...APP_SETTINGS, DATABASE_CONNECT_TIMEOUT: "2s" });
    const { upload, api } = await startUpload(dir, app.url, "pg-restart");
    // Parts go slowly, so the database goes away between two of them.
    await backends.setFaults([{ op: "UploadPart", fault: "throttle", bytesPerSecond: 4 * MiB }]);
    const finished = upload.start();
    await untilState(upload, (state) => partsDone(state) >= 1);

    await cluster.stop();
    // Recording a part needs the database: the upload is stuck part-way until it is back.
    expect(partsDone(upload.getState())).toBeLessThan(4);
    const id = upload.getState().uploadId!;
    await expectUnavailable(
      [
        () => api.get(id),
        () => api.signParts(id, [{ partNumber: 4, checksum: { algorithm: "CRC64NVME", value: "x".repeat(12) } }]),
        () => api.complete(id),
      ],
      "database",
    );
    // The uploader meets the outage (recording, signing or completing) and retries instead of failing.
    const met = await untilState(upload, (state) =>
      state.timeline.entries.some((e) => e.kind === "call" && e.reason === "the app answered 503"),
    );
    expect(met.phase).not.toBe("failed");
    expect(app.child.exitCode).toBeNull();

    cluster = await startMigratedPostgres(clusterDir, "feedup", port);
    await backends.setFaults([]);
    await expectCompleteAndIntact(backends, api, await finished);
    expect(app.output()).toContain("database: idle connection lost");
  } finally {
    await backends.stop();
    await cluster.stop();
  }
});

test("the local S3 process killed and restarted mid-upload: the API answers 503 meanwhile, the uploader waits, and the upload completes", async () => {
  const backends = await startSharedBackends();
  try {
    const app = await backends.startApp({ ...APP_SETTINGS, S3_MAX_ATTEMPTS: "2", S3_CONNECT_TIMEOUT: "1s" });
    const { upload, api } = await startUpload(dir, app.url, "s3-restart");
    await backends.setFaults([{ op: "UploadPart", fault: "throttle", bytesPerSecond: 4 * MiB }]);
    const finished = upload.start();
    await untilState(upload, (state) => partsDone(state) >= 1);
    // The local S3 dies (SIGKILL: no clean shutdown) with the next part half sent.
    await untilState(upload, (state) => state.parts.some((p) => p.phase !== "done" && p.sentBytes > MiB));
    await backends.s3Process.stop("SIGKILL");

    const id = upload.getState().uploadId!;
    await expectUnavailable([() => api.get(id), () => api.complete(id)], "storage");
    const met = await untilState(upload, (state) =>
      state.timeline.entries.some(
        (e) => e.kind === "attempt" && e.outcome === "failed" && e.reason === "connection lost",
      ),
    );
    expect(met.phase).not.toBe("failed");
    expect(app.child.exitCode).toBeNull();

    // Same data, same port: the URLs signed before the crash are still good.
    await backends.restartS3();
    await expectCompleteAndIntact(backends, api, await finished);
  } finally {
    await backends.stop();
  }
});
