import { GetObjectCommand, HeadObjectCommand, ListPartsCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loader as listLoader } from "~/routes/api.uploads";
import { action as deleteAction, loader as getLoader } from "~/routes/api.uploads.$id";
import { action as recordAction } from "~/routes/api.uploads.$id.parts.$partNumber";
import { createDb } from "../../server/db/connection.js";
import { closeServices, createServices } from "../../server/services.js";
import { sweepAbandonedUploads } from "../../server/uploads/sweeper.js";
import type { UploadView } from "../../server/uploads/views.js";
import { call } from "../support/requests.js";
import { checksumOf } from "../support/checksums.js";
import { startTestApp, type TestApp } from "../support/services.js";
import {
  MiB,
  complete,
  createBody,
  createUpload,
  mp4Bytes,
  partBytes,
  sendParts,
  sha256Hex,
  sign,
  signInAs,
  type SignedUrls,
} from "../support/uploads.js";

let app: TestApp;
let alice: string;

beforeAll(async () => {
  // Completed uploads in no post count toward the quota, and this file leaves many unposted.
  app = await startTestApp({ UPLOAD_PART_SIZE: "5MiB", UPLOAD_QUOTA: "1GiB" });
  alice = await signInAs(app.services, "alice");
});
afterAll(async () => app.close());

const getUpload = (id: string, cookie = alice) =>
  call(getLoader, app.services, `/api/uploads/${id}`, { cookie, params: { id } });
const abort = (id: string, cookie = alice) =>
  call(deleteAction, app.services, `/api/uploads/${id}`, { method: "DELETE", cookie, params: { id } });
const storedObject = async (key: string) =>
  Buffer.from(
    await (
      await app.s3.client.send(new GetObjectCommand({ Bucket: "feedup-media", Key: key }))
    ).Body!.transformToByteArray(),
  );
const row = (id: string) => app.db.selectFrom("uploads").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

describe("the upload flow", () => {
  it("creates, signs, takes parts, records them and completes into the same bytes", async () => {
    const file = mp4Bytes(11 * MiB + 123, 1);
    const created = await createUpload(app.services, alice, createBody(file));
    expect(created.status).toBe(201);
    expect(created.upload).toMatchObject({
      size: file.length,
      partSize: 5 * MiB,
      partCount: 3,
      concurrency: 4,
      urlTtlSeconds: 900,
      status: "uploading",
      completedParts: [],
    });

    await sendParts(app.services, alice, created.upload, file, [1, 2, 3]);
    const response = await complete(app.services, alice, created.upload.id);
    expect(response.status).toBe(200);
    const done = (await response.json()) as UploadView;
    expect(done.status).toBe("completed");
    expect(done.completedParts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
    // The default mode: CRC64NVME, full object — the CRC of the whole file, whatever the part sizes.
    expect(done.checksumMode).toEqual({ algorithm: "CRC64NVME", type: "FULL_OBJECT" });
    expect(done.objectChecksum).toBe(await checksumOf("CRC64NVME", file));

    const record = await row(created.upload.id);
    // A random key: nothing in it (or in the object's metadata) names the owner.
    expect(record.s3_key).toMatch(/^uploads\/[A-Za-z0-9_-]{32}$/);
    expect(record.s3_key).not.toContain(record.user_id);
    expect(sha256Hex(await storedObject(record.s3_key))).toBe(sha256Hex(file));
    const head = await app.s3.client.send(new HeadObjectCommand({ Bucket: "feedup-media", Key: record.s3_key }));
    expect(head.ContentType).toBe("video/mp4");
    expect(head.ContentDisposition).toContain('filename="clip.mp4"');
    expect(head.Metadata).toEqual({ "upload-id": record.id });

    const unfinished = (await (await call(listLoader, app.services, "/api/uploads", { cookie: alice })).json()) as {
      uploads: Array<{ id: string }>;
    };
    expect(unfinished.uploads.map((u) => u.id)).not.toContain(created.upload.id);
  });

  it("resumes: creating again with the same fingerprint returns the same upload and what S3 already has", async () => {
    const file = mp4Bytes(11 * MiB, 2);
    const first = await createUpload(app.services, alice, createBody(file));
    await sendParts(app.services, alice, first.upload, file, [1]);
    // Part 2 reaches S3 but the browser dies before recording it.
    await sendParts(app.services, alice, first.upload, file, [2], false);

    const status = (await (await getUpload(first.upload.id)).json()) as UploadView;
    expect(status.completedParts.map((p) => p.partNumber)).toEqual([1, 2]);
    const again = await createUpload(app.services, alice, createBody(file));
    expect(again.status).toBe(200);
    expect(again.upload.id).toBe(first.upload.id);
    expect(again.upload.completedParts.map((p) => p.partNumber)).toEqual([1, 2]);
    const listed = (await (await call(listLoader, app.services, "/api/uploads", { cookie: alice })).json()) as {
      uploads: Array<{ id: string; completedParts: number }>;
    };
    expect(listed.uploads.find((u) => u.id === first.upload.id)?.completedParts).toBe(2);
    expect(
      await app.db.selectFrom("uploads").select("id").where("fingerprint", "=", createBody(file).fingerprint).execute(),
    ).toHaveLength(1);

    await sendParts(app.services, alice, again.upload, file, [3]);
    expect((await complete(app.services, alice, first.upload.id)).status).toBe(200);
    expect(sha256Hex(await storedObject((await row(first.upload.id)).s3_key))).toBe(sha256Hex(file));
  });

  it("resumes within the transaction that holds the user's lock, even with a single database connection", async () => {
    const file = mp4Bytes(11 * MiB, 10);
    const first = await createUpload(app.services, alice, createBody(file));
    // Part 2 reaches S3 unrecorded: resuming must write it to the ledger.
    await sendParts(app.services, alice, first.upload, file, [2], false);
    const single = createServices(app.services.config, createDb(app.services.config.databaseUrl, { poolSize: 1 }));
    try {
      const again = await createUpload(single, alice, createBody(file));
      expect([again.status, again.upload.id]).toEqual([200, first.upload.id]);
      expect(again.upload.completedParts.map((p) => p.partNumber)).toEqual([2]);
    } finally {
      await closeServices(single);
    }
  }, 20_000);

  it("hands out URLs that S3 refuses for other bytes or another length than planned", async () => {
    const file = mp4Bytes(6 * MiB, 3);
    const { upload } = await createUpload(app.services, alice, createBody(file));
    const signed = (await (
      await sign(app.services, alice, upload.id, [1, 2], file, upload.partSize)
    ).json()) as SignedUrls;
    const [first, second] = signed.parts;
    const longer = Buffer.concat([partBytes(file, upload, 1), Buffer.from("x")]);
    const tooLong = await fetch(first!.url, { method: "PUT", body: new Uint8Array(longer), headers: first!.headers });
    expect(tooLong.status).toBe(403);
    expect(await tooLong.text()).toContain("SignatureDoesNotMatch");
    const other = Buffer.from(partBytes(file, upload, 2));
    other[100] = other[100]! ^ 0xff;
    const tampered = await fetch(second!.url, { method: "PUT", body: new Uint8Array(other), headers: second!.headers });
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toContain("BadDigest");
    // The checksum header is signed: a URL used without it takes nothing either.
    const bare = await fetch(second!.url, { method: "PUT", body: new Uint8Array(partBytes(file, upload, 2)) });
    expect(bare.status).toBe(403);
    const parts = await app.s3.client.send(
      new ListPartsCommand({
        Bucket: "feedup-media",
        Key: (await row(upload.id)).s3_key,
        UploadId: (await row(upload.id)).s3_upload_id,
      }),
    );
    expect(parts.Parts ?? []).toEqual([]);
  });

  it("completes idempotently, once, even when two calls race", async () => {
    const file = mp4Bytes(6 * MiB, 4);
    const { upload } = await createUpload(app.services, alice, createBody(file));
    await sendParts(app.services, alice, upload, file, [1, 2]);
    app.s3.server.resetStats();
    const [a, b] = await Promise.all([
      complete(app.services, alice, upload.id),
      complete(app.services, alice, upload.id),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const [viewA, viewB] = (await Promise.all([a.json(), b.json()])) as UploadView[];
    expect(viewA!.objectChecksum).toBe(viewB!.objectChecksum);
    expect(app.s3.server.stats().CompleteMultipartUpload?.requests).toBe(1);
    const third = (await (await complete(app.services, alice, upload.id)).json()) as UploadView;
    expect(third.objectChecksum).toBe(viewA!.objectChecksum);
  });

  it("names the parts to re-send when some are missing", async () => {
    const file = mp4Bytes(16 * MiB, 5);
    const { upload } = await createUpload(app.services, alice, createBody(file));
    await sendParts(app.services, alice, upload, file, [2]);
    const response = await complete(app.services, alice, upload.id);
    expect(response.status).toBe(409);
    const body = (await response.json()) as { error: { code: string; details: { missing: number[] } } };
    expect(body.error.code).toBe("parts_missing");
    expect(body.error.details.missing).toEqual([1, 3, 4]);
    expect((await row(upload.id)).status).toBe("uploading");
  });

  it("refuses and deletes a file whose bytes are not the declared type", async () => {
    const html = Buffer.alloc(1000, " ");
    Buffer.from("<!doctype html><script>alert(1)</script>").copy(html);
    const { upload } = await createUpload(
      app.services,
      alice,
      createBody(html, { fileName: "movie.mp4", fingerprint: "html-as-mp4" }),
    );
    await sendParts(app.services, alice, upload, html, [1]);
    const response = await complete(app.services, alice, upload.id);
    expect(response.status).toBe(422);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("content_mismatch");
    const record = await row(upload.id);
    expect(record.status).toBe("failed");
    const head = await app.s3.client
      .send(new HeadObjectCommand({ Bucket: "feedup-media", Key: record.s3_key }))
      .catch((e: { $metadata: { httpStatusCode: number } }) => e.$metadata.httpStatusCode);
    expect(head).toBe(404);
  });

  it("aborts: S3 forgets the upload, and the ledger refuses further work with 409", async () => {
    const file = mp4Bytes(6 * MiB, 6);
    const { upload } = await createUpload(app.services, alice, createBody(file));
    const [etag] = await sendParts(app.services, alice, upload, file, [1]);
    const response = await abort(upload.id);
    expect(response.status).toBe(200);
    expect(((await response.json()) as UploadView).status).toBe("aborted");
    const record = await row(upload.id);
    await expect(
      app.s3.client.send(
        new ListPartsCommand({ Bucket: "feedup-media", Key: record.s3_key, UploadId: record.s3_upload_id }),
      ),
    ).rejects.toMatchObject({ name: "NoSuchUpload" });
    expect((await abort(upload.id)).status).toBe(200);
    expect((await sign(app.services, alice, upload.id, [2])).status).toBe(409);
    expect((await complete(app.services, alice, upload.id)).status).toBe(409);
    const recorded = await call(recordAction, app.services, `/api/uploads/${upload.id}/parts/1`, {
      method: "PUT",
      json: { etag },
      cookie: alice,
      params: { id: upload.id, partNumber: "1" },
    });
    expect(recorded.status).toBe(409);
    // A new upload of the same file can start again.
    expect((await createUpload(app.services, alice, createBody(file))).status).toBe(201);
  });

  // DELETE on a completed upload (its object goes unless a post uses it): unposted-uploads.test.ts.
});

describe("the sweeper", () => {
  it("aborts uploads with no activity for UPLOAD_ABANDON_AFTER and leaves recent ones", async () => {
    const bob = await signInAs(app.services, "bob");
    const stale = await createUpload(app.services, bob, createBody(mp4Bytes(6 * MiB, 8)));
    const fresh = await createUpload(app.services, bob, createBody(mp4Bytes(6 * MiB, 9)));
    await sendParts(app.services, bob, stale.upload, mp4Bytes(6 * MiB, 8), [1]);
    await app.db
      .updateTable("uploads")
      .set({ last_activity_at: new Date(Date.now() - 25 * 3_600_000) })
      .where("id", "=", stale.upload.id)
      .execute();

    expect(await sweepAbandonedUploads(app.services)).toBe(1);
    const record = await row(stale.upload.id);
    expect(record.status).toBe("aborted");
    expect(record.failure_reason).toMatch(/Abandoned/);
    await expect(
      app.s3.client.send(
        new ListPartsCommand({ Bucket: "feedup-media", Key: record.s3_key, UploadId: record.s3_upload_id }),
      ),
    ).rejects.toMatchObject({ name: "NoSuchUpload" });
    expect((await row(fresh.upload.id)).status).toBe("uploading");
    expect(await sweepAbandonedUploads(app.services)).toBe(0);
  });
});
