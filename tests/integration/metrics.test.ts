import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { action as deleteAction, loader as getLoader } from "~/routes/api.uploads.$id";
import { loader as metricsLoader } from "~/routes/metrics";
import { sweepUploads } from "../../server/uploads/sweeper.js";
import { scrape } from "../support/metrics.js";
import { call } from "../support/requests.js";
import { startTestApp, type TestApp } from "../support/services.js";
import { MiB, complete, createBody, createUpload, mp4Bytes, sendParts, signInAs } from "../support/uploads.js";

let app: TestApp;
let alice: string;

beforeAll(async () => {
  app = await startTestApp({ UPLOAD_PART_SIZE: "5MiB" });
  alice = await signInAs(app.services, "alice");
});
afterAll(async () => app.close());

const events = (name: string) => app.logs.filter((line) => line.event === name);

describe("GET /metrics", () => {
  it("exposes every named series in the Prometheus text format", async () => {
    const response = await call(metricsLoader, app.services, "/metrics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    for (const name of [
      "feedup_uploads_created_total",
      "feedup_uploads_resumed_total",
      "feedup_uploads_completed_total",
      "feedup_uploads_failed_total",
      "feedup_uploads_aborted_total",
      "feedup_uploads_deleted_total",
      "feedup_upload_completed_bytes_total",
      "feedup_upload_duration_seconds",
      "feedup_upload_throughput_bytes_per_second",
      "feedup_part_sign_batch_duration_seconds",
      "feedup_parts_signed_total",
      "feedup_parts_recorded_total",
      "feedup_s3_request_duration_seconds",
      "feedup_s3_errors_total",
      "feedup_sweeper_runs_total",
      "feedup_http_request_duration_seconds",
      "feedup_client_upload_summaries_total",
      "feedup_client_upload_throughput_bytes_per_second",
      "feedup_client_part_attempts",
      "feedup_client_retries_total",
      "feedup_client_resent_bytes_total",
      "feedup_client_waiting_seconds",
      "process_cpu_seconds_total",
    ]) {
      expect(text, name).toContain(`# TYPE ${name} `);
    }
  });

  it("moves when an upload completes, and logs each step of it", async () => {
    const before = await scrape(app.services);
    const file = mp4Bytes(11 * MiB, 2);
    const { upload } = await createUpload(app.services, alice, createBody(file));
    await sendParts(app.services, alice, upload, file, [1, 2, 3]);
    expect((await complete(app.services, alice, upload.id)).status).toBe(200);

    const after = await scrape(app.services);
    const moved = (name: string, labels?: Record<string, string>) =>
      after.value(name, labels) - before.value(name, labels);
    expect(moved("feedup_uploads_created_total")).toBe(1);
    expect(moved("feedup_uploads_completed_total")).toBe(1);
    expect(moved("feedup_upload_completed_bytes_total")).toBe(file.length);
    expect(moved("feedup_upload_duration_seconds_count")).toBe(1);
    expect(moved("feedup_upload_throughput_bytes_per_second_count")).toBe(1);
    expect(moved("feedup_part_sign_batch_duration_seconds_count")).toBe(1);
    expect(moved("feedup_parts_signed_total")).toBe(3);
    expect(moved("feedup_parts_recorded_total")).toBe(3);
    for (const operation of [
      "CreateMultipartUpload",
      "ListParts",
      "CompleteMultipartUpload",
      "HeadObject",
      "GetObject",
    ])
      expect(
        moved("feedup_s3_request_duration_seconds_count", { operation, outcome: "ok" }),
        operation,
      ).toBeGreaterThan(0);

    const completed = events("upload.completed").find((line) => line.uploadId === upload.id);
    expect(completed).toMatchObject({ level: "info", size: file.length, parts: 3, contentType: "video/mp4" });
    expect(completed!.durationMs).toEqual(expect.any(Number));
    expect(completed!.bytesPerSecond).toBeGreaterThan(0);
    expect(events("upload.created").filter((line) => line.uploadId === upload.id)).toHaveLength(1);
    expect(events("upload.parts_signed").find((line) => line.uploadId === upload.id)).toMatchObject({ count: 3 });
    expect(events("upload.part_recorded").filter((line) => line.uploadId === upload.id)).toEqual(
      [1, 2, 3].map((partNumber) => expect.objectContaining({ level: "debug", partNumber })),
    );
  });

  it("counts a refused upload as failed with its reason, and an aborted one by who aborted it", async () => {
    const before = await scrape(app.services);
    const notAVideo = Buffer.alloc(6 * MiB, 7);
    const refused = (await createUpload(app.services, alice, createBody(notAVideo, { fingerprint: "not-a-video" })))
      .upload;
    await sendParts(app.services, alice, refused, notAVideo, [1, 2]);
    expect((await complete(app.services, alice, refused.id)).status).toBe(422);

    const file = mp4Bytes(6 * MiB, 3);
    const cancelled = (await createUpload(app.services, alice, createBody(file))).upload;
    const id = cancelled.id;
    expect(
      (
        await call(deleteAction, app.services, `/api/uploads/${id}`, {
          method: "DELETE",
          cookie: alice,
          params: { id },
        })
      ).status,
    ).toBe(200);

    const after = await scrape(app.services);
    const moved = (name: string, labels?: Record<string, string>) =>
      after.value(name, labels) - before.value(name, labels);
    expect(moved("feedup_uploads_failed_total", { reason: "content_mismatch" })).toBe(1);
    expect(moved("feedup_uploads_completed_total")).toBe(0);
    expect(moved("feedup_uploads_aborted_total", { reason: "user" })).toBe(1);
    expect(events("upload.failed").find((line) => line.uploadId === refused.id)).toMatchObject({
      level: "warn",
      kind: "content_mismatch",
      reason: "The file's content is not video/mp4.",
    });
    expect(events("upload.aborted").find((line) => line.uploadId === id)).toMatchObject({ kind: "user" });
  });

  it("counts S3 errors by operation and code, and logs the request's failure (storage unavailable) with its stack", async () => {
    const file = mp4Bytes(6 * MiB, 4);
    const { upload } = await createUpload(app.services, alice, createBody(file));
    const before = await scrape(app.services);
    app.s3.server.setFaults([{ op: "ListParts", fault: "status", status: 500, times: 10 }]);
    try {
      const response = await call(getLoader, app.services, `/api/uploads/${upload.id}`, {
        cookie: alice,
        params: { id: upload.id },
      });
      // S3 failing every attempt is an outage, not a bug: 503 service_unavailable (the uploader waits).
      expect(response.status).toBe(503);
    } finally {
      app.s3.server.setFaults([]);
    }
    const after = await scrape(app.services);
    const errors = after.value("feedup_s3_errors_total", { operation: "ListParts", code: "InternalError" });
    // The SDK tries three times before giving up; each attempt is an S3 call that failed.
    expect(errors - before.value("feedup_s3_errors_total", { operation: "ListParts", code: "InternalError" })).toBe(3);
    const logged = app.logs
      .filter((line) => line.level === "warn" && line.msg === "API request failed: dependency unavailable")
      .at(-1);
    expect(logged?.dependency).toBe("storage");
    expect((logged?.err as { stack?: string } | undefined)?.stack).toMatch(/InternalError[\s\S]*\n\s+at /);
  });

  it("counts a sweep round once, with the uploads it aborted as abandoned and deleted as unposted", async () => {
    await createUpload(app.services, alice, createBody(mp4Bytes(6 * MiB, 5)));
    const unposted = mp4Bytes(6 * MiB, 6);
    const { upload } = await createUpload(app.services, alice, createBody(unposted));
    await sendParts(app.services, alice, upload, unposted, [1, 2]);
    expect((await complete(app.services, alice, upload.id)).status).toBe(200);
    const before = await scrape(app.services);
    const counts = await sweepUploads(app.services, new Date(Date.now() + 25 * 3_600_000));
    expect(counts.aborted).toBeGreaterThan(0);
    expect(counts.orphansDeleted).toBeGreaterThan(0);
    const after = await scrape(app.services);
    const delta = (name: string, labels: Record<string, string>) =>
      after.value(name, labels) - before.value(name, labels);
    expect(delta("feedup_sweeper_runs_total", { outcome: "ok" })).toBe(1);
    expect(delta("feedup_uploads_aborted_total", { reason: "abandoned" })).toBe(counts.aborted);
    expect(delta("feedup_uploads_deleted_total", { reason: "orphaned" })).toBe(counts.orphansDeleted);
    expect(events("uploads.swept").at(-1)).toMatchObject({ level: "info", ...counts });
    expect(events("upload.deleted").find((line) => line.uploadId === upload.id)).toMatchObject({
      level: "info",
      kind: "orphaned",
    });
  });

  it("counts an unposted upload its owner deletes, and logs it", async () => {
    const file = mp4Bytes(6 * MiB, 7);
    const { upload } = await createUpload(app.services, alice, createBody(file));
    await sendParts(app.services, alice, upload, file, [1, 2]);
    expect((await complete(app.services, alice, upload.id)).status).toBe(200);
    const before = await scrape(app.services);
    const response = await call(deleteAction, app.services, `/api/uploads/${upload.id}`, {
      method: "DELETE",
      cookie: alice,
      params: { id: upload.id },
    });
    expect(response.status).toBe(200);
    const after = await scrape(app.services);
    expect(
      after.value("feedup_uploads_deleted_total", { reason: "user" }) -
        before.value("feedup_uploads_deleted_total", { reason: "user" }),
    ).toBe(1);
    expect(events("upload.deleted").find((line) => line.uploadId === upload.id)).toMatchObject({ kind: "user" });
  });

  it("keeps each app's counts apart (a registry per app, not prom-client's global one)", async () => {
    const other = app.withEnv({});
    expect((await scrape(other)).value("feedup_uploads_created_total")).toBe(0);
    expect((await scrape(app.services)).value("feedup_uploads_created_total")).toBeGreaterThan(0);
  });
});

describe("METRICS_TOKEN and METRICS_PORT", () => {
  it("refuses /metrics without the bearer token, or with another one", async () => {
    const guarded = app.withEnv({ METRICS_TOKEN: "a-metrics-token-0123456789" });
    const without = await call(metricsLoader, guarded, "/metrics");
    expect(without.status).toBe(401);
    expect(without.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await without.json()).toMatchObject({ error: { code: "unauthenticated" } });
    const wrong = await call(metricsLoader, guarded, "/metrics", {
      headers: { Authorization: "Bearer another-token-0123456789" },
    });
    expect(wrong.status).toBe(401);
    const right = await call(metricsLoader, guarded, "/metrics", {
      headers: { Authorization: "Bearer a-metrics-token-0123456789" },
    });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain("feedup_uploads_created_total");
  });

  it("serves /metrics only on the internal port when METRICS_PORT is set", async () => {
    const internal = app.withEnv({ METRICS_PORT: "0" });
    expect((await call(metricsLoader, internal, "/metrics")).status).toBe(404);
    const { startMetricsServer } = await import("../../server/http/metrics-server.js");
    const server = (await startMetricsServer(internal))!;
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const response = await fetch(server.url);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("feedup_uploads_created_total");
      expect((await fetch(server.url.replace("/metrics", "/"))).status).toBe(404);
    } finally {
      await server.stop();
    }
  });
});
