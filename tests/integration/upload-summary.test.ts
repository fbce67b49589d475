import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { action as summaryAction } from "~/routes/api.uploads.$id.summary";
import type { UploadSummary } from "~/shared/upload-summary";
import { scrape } from "../support/metrics.js";
import { call } from "../support/requests.js";
import { startTestApp, type TestApp } from "../support/services.js";
import { MiB, complete, createBody, createUpload, mp4Bytes, sendParts, signInAs } from "../support/uploads.js";

let app: TestApp;
let alice: string;
let bob: string;
let completedId: string;
let unfinishedId: string;

const summary: UploadSummary = {
  outcome: "completed",
  partSize: 5 * MiB,
  concurrency: 4,
  checksum: "sha256",
  attemptsPerPart: { "1": 2, "3": 1 },
  retries: { network: 1, expired: 1 },
  bytesResent: 3 * MiB,
  waitingMs: 1500,
  durationMs: 4000,
  throughputBytesPerSecond: 6 * MiB,
};

beforeAll(async () => {
  app = await startTestApp({ UPLOAD_PART_SIZE: "5MiB" });
  alice = await signInAs(app.services, "alice");
  bob = await signInAs(app.services, "bob");
  const file = mp4Bytes(11 * MiB, 1);
  const { upload } = await createUpload(app.services, alice, createBody(file));
  await sendParts(app.services, alice, upload, file, [1, 2, 3]);
  await complete(app.services, alice, upload.id);
  completedId = upload.id;
  const other = mp4Bytes(6 * MiB, 2);
  unfinishedId = (await createUpload(app.services, alice, createBody(other))).upload.id;
});
afterAll(async () => app.close());

const send = (id: string, body: unknown, cookie = alice) =>
  call(summaryAction, app.services, `/api/uploads/${id}/summary`, { json: body, cookie, params: { id } });
const stored = (id: string) =>
  app.db
    .selectFrom("uploads")
    .select(["client_summary", "client_summary_at"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();

describe("POST /api/uploads/:id/summary", () => {
  it("refuses bad input with 400 naming the fields, and stores and counts nothing", async () => {
    const before = await scrape(app.services);
    const bad: Array<[unknown, string]> = [
      [{ ...summary, outcome: "maybe" }, "outcome"],
      [{ ...summary, concurrency: 0 }, "concurrency"],
      [{ ...summary, partSize: 1.5 }, "partSize"],
      [{ ...summary, checksum: "md5" }, "checksum"],
      [{ ...summary, attemptsPerPart: { "0": 3 } }, "attemptsPerPart.0"],
      [{ ...summary, attemptsPerPart: { "1": -1 } }, "attemptsPerPart.1"],
      [{ ...summary, retries: { gremlins: 2 } }, "retries.gremlins"],
      [{ ...summary, bytesResent: -5 }, "bytesResent"],
      [{ ...summary, waitingMs: 5000, durationMs: 4000 }, "waitingMs"],
      [{ ...summary, extra: true }, "extra"],
      [{ ...summary, throughputBytesPerSecond: "fast" }, "throughputBytesPerSecond"],
      [[], "body"],
    ];
    for (const [body, field] of bad) {
      const response = await send(completedId, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const answer = (await response.json()) as { error: { code: string; fields: Record<string, string[]> } };
      // Fields the schema does not know (at the top or among the retry reasons) are named as unknown.
      const unknown = field === "extra" || field === "retries.gremlins";
      expect(answer.error.code).toBe(unknown ? "unknown_fields" : "invalid_input");
      expect(Object.keys(answer.error.fields), JSON.stringify(body)).toContain(field);
    }
    const notJson = await call(summaryAction, app.services, `/api/uploads/${completedId}/summary`, {
      body: "{",
      headers: { "Content-Type": "application/json" },
      cookie: alice,
      params: { id: completedId },
    });
    expect(notJson.status).toBe(400);
    expect(await stored(completedId)).toEqual({ client_summary: null, client_summary_at: null });
    const after = await scrape(app.services);
    expect(after.value("feedup_client_upload_summaries_total")).toBe(
      before.value("feedup_client_upload_summaries_total"),
    );
  });

  it("answers 404 for someone else's upload, like an unknown one, and stores nothing", async () => {
    expect((await send(completedId, summary, bob)).status).toBe(404);
    expect((await send("00000000-0000-4000-8000-000000000000", summary)).status).toBe(404);
    expect((await send("not-an-id", summary)).status).toBe(404);
    expect((await stored(completedId)).client_summary).toBeNull();
  });

  it("refuses a completed outcome for an upload that has not completed", async () => {
    const response = await send(unfinishedId, summary);
    expect(response.status).toBe(409);
    expect((await stored(unfinishedId)).client_summary).toBeNull();
  });

  it("stores the summary on the upload's row and feeds the client metrics, once per distinct report", async () => {
    const before = await scrape(app.services);
    const response = await send(completedId, summary);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ summary, counted: true });
    const row = await stored(completedId);
    expect(row.client_summary).toEqual(summary);
    expect(row.client_summary_at).toBeInstanceOf(Date);

    const after = await scrape(app.services);
    const moved = (name: string, labels?: Record<string, string>) =>
      after.value(name, labels) - before.value(name, labels);
    expect(moved("feedup_client_upload_summaries_total", { outcome: "completed", checksum: "sha256" })).toBe(1);
    expect(
      moved("feedup_client_upload_throughput_bytes_per_second_count", { part_size: "5MiB", concurrency: "4" }),
    ).toBe(1);
    expect(moved("feedup_client_part_attempts_count")).toBe(3);
    expect(moved("feedup_client_part_attempts_sum")).toBe(1 + 1 + 3);
    expect(moved("feedup_client_retries_total", { reason: "network" })).toBe(1);
    expect(moved("feedup_client_retries_total", { reason: "expired" })).toBe(1);
    expect(moved("feedup_client_resent_bytes_total")).toBe(3 * MiB);
    expect(moved("feedup_client_waiting_seconds_sum")).toBeCloseTo(1.5);

    // The same report sent again (a retried request) is kept but not counted twice.
    expect(await (await send(completedId, summary)).json()).toEqual({ summary, counted: false });
    const again = await scrape(app.services);
    expect(again.value("feedup_client_upload_summaries_total")).toBe(
      after.value("feedup_client_upload_summaries_total"),
    );
  });

  it("takes a failed run's report for an unfinished upload", async () => {
    const failed: UploadSummary = {
      ...summary,
      outcome: "failed",
      checksum: "crc32c",
      retries: { server_error: 8 },
      failureReason: "Gave up after 8 attempts (storage error 500).",
    };
    const response = await send(unfinishedId, failed);
    expect(response.status).toBe(200);
    expect((await stored(unfinishedId)).client_summary).toEqual(failed);
    const metrics = await scrape(app.services);
    expect(metrics.value("feedup_client_upload_summaries_total", { outcome: "failed", checksum: "crc32c" })).toBe(1);
    expect(metrics.value("feedup_client_retries_total", { reason: "server_error" })).toBe(8);
  });
});
