import { startSharedBackends, type SharedBackends } from "../support/backends.js";
import { partChecksum } from "../support/checksums.js";
import { devSignIn, httpUploadApi, putPart } from "../support/http-uploads.js";
import type { RunningApp } from "../support/processes.js";
import { MiB, mp4Bytes, partBytes, sha256Hex } from "../support/uploads.js";
import { poll } from "../support/wait.js";
import { expect, test } from "./fixtures.js";

// Two app processes on one PostgreSQL database and one local S3, as behind a load balancer.
let backends: SharedBackends;
let a: RunningApp;
let b: RunningApp;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  backends = await startSharedBackends();
  // Both sweep every second, so their sweeps overlap in the sweeper test.
  [a, b] = await Promise.all([
    backends.startApp({ UPLOAD_SWEEP_INTERVAL: "1s" }),
    backends.startApp({ UPLOAD_SWEEP_INTERVAL: "1s" }),
  ]);
});
test.afterAll(async () => {
  await backends?.stop();
});

const uploadRow = (id: string) => backends.uploadRow(id);

const createInput = (file: Buffer, name: string) => ({
  fileName: `${name}.mp4`,
  size: file.length,
  contentType: "video/mp4",
  lastModified: 1_700_000_000_000,
  fingerprint: `${name}:${sha256Hex(file)}`,
});

test("an upload created on one instance takes parts signed and recorded on both in turn and completes on the other", async () => {
  const cookie = await devSignIn(a.url, "two-instances");
  const [onA, onB] = [httpUploadApi(a.url, cookie), httpUploadApi(b.url, cookie)];
  const file = mp4Bytes(13 * MiB, 21);
  const view = await onA.create(createInput(file, "alternating"));
  expect(view.partCount).toBe(3);

  const sent = new Map<number, string>();
  for (let n = 1; n <= view.partCount; n += 1) {
    // Odd parts are signed on A and recorded on B, even parts the other way round.
    const [signer, recorder] = n % 2 === 1 ? [onA, onB] : [onB, onA];
    const body = partBytes(file, view, n);
    const checksum = await partChecksum(view.checksumMode.algorithm, new Uint8Array(body));
    const signed = await signer.signParts(view.id, [{ partNumber: n, checksum }]);
    const etag = await putPart(signed.parts[0]!, new Uint8Array(body));
    await recorder.recordParts(view.id, [{ partNumber: n, etag, checksum }]);
    sent.set(n, etag);
  }
  // The ledger is in PostgreSQL, so each instance sees what the other recorded, and it matches S3.
  const row = await uploadRow(view.id);
  for (const api of [onA, onB]) {
    const seen = await api.get(view.id);
    expect(new Map(seen.completedParts.map((p) => [p.partNumber, p.etag]))).toEqual(sent);
  }
  expect(await backends.listParts(row.s3_key, row.s3_upload_id)).toEqual(sent);

  const completed = await onB.complete(view.id);
  expect(completed.status).toBe("completed");
  expect((await onA.get(view.id)).status).toBe("completed");
  // A repeated completion on the first instance answers the same.
  expect((await onA.complete(view.id)).objectChecksum).toBe(completed.objectChecksum);
  expect(sha256Hex(await backends.readObject(row.s3_key))).toBe(sha256Hex(file));
  expect((await uploadRow(view.id)).etag).toBe((await backends.headObject(row.s3_key))!.etag);
});

test("both sweepers run at once: one sweeps, the other skips, and each abandoned upload is aborted once", async () => {
  const cookie = await devSignIn(b.url, "abandoner");
  const ids: string[] = [];
  for (let i = 0; i < 4; i += 1) {
    const api = httpUploadApi(i % 2 === 0 ? a.url : b.url, cookie);
    ids.push((await api.create(createInput(mp4Bytes(6 * MiB, 40 + i), `abandoned-${i}`))).id);
  }
  // Each abort takes 0.8 s, so one sweep lasts over 3 s while both sweepers wake every second.
  await backends.setFaults([{ op: "AbortMultipartUpload", fault: "delay", ms: 800 }]);
  await backends.resetStats();
  const logged = { a: a.output().length, b: b.output().length };
  await backends.query("update uploads set last_activity_at = now() - interval '25 hours' where id = any($1)", [ids]);

  await poll(
    async () => (await Promise.all(ids.map(uploadRow))).every((row) => row.status === "aborted"),
    "every abandoned upload to be aborted",
    { timeoutMs: 60_000 },
  );
  await backends.setFaults([]);
  const since = { a: a.output().slice(logged.a), b: b.output().slice(logged.b) };
  const aborted = (text: string) =>
    [...text.matchAll(/aborted (\d+) abandoned upload/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  expect(aborted(since.a) + aborted(since.b)).toBe(4);
  const [sweeper, skipper] = aborted(since.a) > 0 ? [since.a, since.b] : [since.b, since.a];
  expect(aborted(sweeper)).toBe(4);
  expect(aborted(skipper)).toBe(0);
  expect(skipper).toContain("sweep skipped: another instance is sweeping");
  // Nothing was aborted twice in S3.
  expect((await backends.stats()).AbortMultipartUpload?.requests).toBe(4);
});
