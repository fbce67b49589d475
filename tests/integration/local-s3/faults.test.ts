import { Agent, request } from "node:http";
import {
  HeadBucketCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { LocalS3Event } from "../../../server/local-s3/index.js";
import { startTestS3, type TestS3, s3Failure } from "../../support/local-s3.js";

let s3: TestS3;
const Bucket = "faults";
const events: LocalS3Event[] = [];

beforeAll(async () => {
  s3 = await startTestS3({ buckets: [Bucket], log: (event) => events.push(event) });
});
afterEach(() => {
  s3.server.setFaults([]);
  s3.server.resetStats();
  events.length = 0;
});
afterAll(async () => s3.close());

const presignPut = (Key: string) => getSignedUrl(s3.client, new PutObjectCommand({ Bucket, Key }), { expiresIn: 60 });

describe("fault injection", () => {
  it("status: answers with the chosen status and a proper S3 error", async () => {
    s3.server.setFaults([{ op: "UploadPart", fault: "status", status: 503 }]);
    const { UploadId } = await s3.client.send(new CreateMultipartUploadCommand({ Bucket, Key: "k" }));
    const error = await s3Failure(
      s3.client.send(new UploadPartCommand({ Bucket, Key: "k", UploadId, PartNumber: 1, Body: "x" })),
    );
    expect([error.name, error.$metadata.httpStatusCode]).toEqual(["SlowDown", 503]);
    expect(s3.server.stats().UploadPart?.faults).toBe(1);
  });

  it("reset: drops the connection after N body bytes and keeps nothing", async () => {
    s3.server.setFaults([{ op: "PutObject", fault: "reset", afterBytes: 65_536 }]);
    const url = await presignPut("reset-me");
    await expect(fetch(url, { method: "PUT", body: Buffer.alloc(1024 * 1024, 1) })).rejects.toThrow();
    const stats = s3.server.stats().PutObject!;
    expect(stats.faults).toBe(1);
    expect(stats.bytesReceived).toBeGreaterThanOrEqual(65_536);
    expect(stats.bytesStored).toBe(0);
    await vi.waitFor(async () => expect(await s3.server.store.tmpFiles()).toEqual([]));
    expect(
      (await s3Failure(s3.client.send(new HeadObjectCommand({ Bucket, Key: "reset-me" })))).$metadata.httpStatusCode,
    ).toBe(404);
  });

  it("delay: holds the answer for the given time", async () => {
    s3.server.setFaults([{ op: "HeadBucket", fault: "delay", ms: 300 }]);
    const started = performance.now();
    await s3.client.send(new HeadBucketCommand({ Bucket }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("throttle: limits body bytes per second", async () => {
    s3.server.setFaults([{ op: "PutObject", fault: "throttle", bytesPerSecond: 500_000 }]);
    const started = performance.now();
    await s3.client.send(new PutObjectCommand({ Bucket, Key: "throttled", Body: Buffer.alloc(250_000, 2) }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(450);
  });

  it("stall: accepts the request and never answers", async () => {
    s3.server.setFaults([{ op: "PutObject", fault: "stall" }]);
    const url = await presignPut("stalled");
    await expect(fetch(url, { method: "PUT", body: "x", signal: AbortSignal.timeout(300) })).rejects.toThrow(
      /timeout|aborted/i,
    );
    expect(s3.server.stats().PutObject?.faults).toBe(1);
  });

  it("expire: answers as if the presigned URL had expired", async () => {
    s3.server.setFaults([{ op: "PutObject", fault: "expire", times: 1 }]);
    const url = await presignPut("expiring");
    const first = await fetch(url, { method: "PUT", body: "x" });
    expect(first.status).toBe(403);
    expect(await first.text()).toContain("Request has expired");
    expect((await fetch(url, { method: "PUT", body: "x" })).status).toBe(200);
  });

  it("gives the same sequence of faults for the same seed", async () => {
    const run = async () => {
      s3.server.setFaults([{ op: "HeadBucket", fault: "status", status: 500, probability: 0.5 }], 42);
      const outcomes: string[] = [];
      for (let i = 0; i < 24; i += 1) {
        const result = await s3.client.send(new HeadBucketCommand({ Bucket })).then(
          () => "ok",
          () => "fault",
        );
        outcomes.push(result);
      }
      return outcomes;
    };
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    expect(first).toContain("ok");
    expect(first).toContain("fault");
    s3.server.setFaults([{ op: "HeadBucket", fault: "status", status: 500, probability: 0.5 }], 7);
    const other: string[] = [];
    for (let i = 0; i < 24; i += 1)
      other.push(
        await s3.client.send(new HeadBucketCommand({ Bucket })).then(
          () => "ok",
          () => "fault",
        ),
      );
    expect(other).not.toEqual(first);
  });

  it("is controlled and observed over HTTP through /_local/faults and /_local/stats", async () => {
    const set = await fetch(`${s3.server.url}/_local/faults`, {
      method: "PUT",
      body: JSON.stringify({ rules: [{ op: "PutObject", fault: "status", status: 500, times: 1 }], seed: 3 }),
    });
    expect(set.status).toBe(200);
    expect(((await set.json()) as { seed: number }).seed).toBe(3);
    const body = Buffer.from("counted bytes");
    const url = await presignPut("counted");
    expect((await fetch(url, { method: "PUT", body })).status).toBe(500);
    expect((await fetch(url, { method: "PUT", body })).status).toBe(200);
    const stats = (await (await fetch(`${s3.server.url}/_local/stats`)).json()) as Record<
      string,
      { requests: number; faults: number; bytesReceived: number; bytesStored: number }
    >;
    expect(stats.PutObject).toMatchObject({ requests: 2, faults: 1, bytesStored: body.length });
    expect(stats.PutObject!.bytesReceived).toBe(2 * body.length);

    const invalid = await fetch(`${s3.server.url}/_local/faults`, {
      method: "PUT",
      body: JSON.stringify({ seed: 2, rules: [{ op: "PutObject", fault: "status", probability: 1.5 }] }),
    });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({
      error: { code: "InvalidFaults", message: "rules[0].probability: must be between 0 and 1" },
    });
    // The rules in force are untouched by a refused change.
    const kept = (await (await fetch(`${s3.server.url}/_local/faults`)).json()) as { seed: number; rules: unknown[] };
    expect([kept.seed, kept.rules.length]).toEqual([3, 1]);
    const cleared = await fetch(`${s3.server.url}/_local/faults`, { method: "DELETE" });
    expect(((await cleared.json()) as { rules: unknown[] }).rules).toEqual([]);
  });

  it("can target part numbers: part 2 fails twice, the others never", async () => {
    s3.server.setFaults([{ op: "UploadPart", fault: "status", status: 503, partNumbers: [2], times: 2 }]);
    const { UploadId } = await s3.client.send(new CreateMultipartUploadCommand({ Bucket, Key: "drill" }));
    const send = (PartNumber: number) =>
      s3.client.send(new UploadPartCommand({ Bucket, Key: "drill", UploadId, PartNumber, Body: "x" }));
    await send(1);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      expect((await s3Failure(send(2))).$metadata.httpStatusCode).toBe(503);
    }
    await send(2);
    await send(3);
    expect(s3.server.stats().UploadPart).toMatchObject({ requests: 5, faults: 2 });
  });

  it("can target a key prefix only", async () => {
    s3.server.setFaults([{ op: "PutObject", fault: "status", status: 500, keyPrefix: "flaky/" }]);
    await s3.client.send(new PutObjectCommand({ Bucket, Key: "steady/a", Body: "a" }));
    const error = await s3Failure(s3.client.send(new PutObjectCommand({ Bucket, Key: "flaky/a", Body: "a" })));
    expect(error.$metadata.httpStatusCode).toBe(500);
  });

  it("reports each fault it injects through the log option: rule, operation, part and kind", async () => {
    s3.server.setFaults([
      { op: "PutObject", fault: "delay", ms: 1, keyPrefix: "never/" },
      { op: "UploadPart", fault: "status", status: 503, partNumbers: [2], times: 1 },
    ]);
    const { UploadId } = await s3.client.send(new CreateMultipartUploadCommand({ Bucket, Key: "logged" }));
    for (const PartNumber of [1, 2]) {
      await s3.client
        .send(new UploadPartCommand({ Bucket, Key: "logged", UploadId, PartNumber, Body: "x" }))
        .catch(() => undefined);
    }
    expect(events).toEqual([
      {
        type: "fault",
        rule: 1,
        fault: "status",
        effect: "answered 503 SlowDown",
        op: "UploadPart",
        bucket: Bucket,
        key: "logged",
        partNumber: 2,
      },
    ]);
  });
});

/** A raw request over `agent`, resolving when its answer's headers arrive (or failing as the connection does). */
function send(url: string, agent: Agent, method = "GET", body?: string) {
  return new Promise<{ status: number; connection?: string; body: Promise<string> }>((resolve, reject) => {
    const req = request(url, { method, agent }, (res) => {
      const chunks: Buffer[] = [];
      const body = new Promise<string>((done, fail) => {
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => done(Buffer.concat(chunks).toString()));
        res.on("error", fail);
        res.on("aborted", () => fail(new Error("aborted")));
      });
      body.catch(() => undefined);
      resolve({ status: res.statusCode!, connection: res.headers.connection, body });
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("faults a browser cannot hide", () => {
  it("reset after headers: the request takes effect, its answer stops after the headers", async () => {
    s3.server.setFaults([{ op: "UploadPart", fault: "reset", after: "headers", times: 1 }]);
    const { UploadId } = await s3.client.send(new CreateMultipartUploadCommand({ Bucket, Key: "cut" }));
    const url = await getSignedUrl(s3.client, new UploadPartCommand({ Bucket, Key: "cut", UploadId, PartNumber: 1 }), {
      expiresIn: 60,
    });
    const agent = new Agent({ keepAlive: true });
    try {
      const answer = await send(url, agent, "PUT", "stored, answer lost");
      expect(answer.status).toBe(200);
      await expect(answer.body).rejects.toThrow();
      const { Parts } = await s3.client.send(new ListPartsCommand({ Bucket, Key: "cut", UploadId }));
      expect(Parts?.map((p) => p.Size)).toEqual(["stored, answer lost".length]);
      expect(s3.server.stats().UploadPart?.faults).toBe(1);
      expect(events.map((e) => e.effect)).toEqual(["connection cut after the answer's headers"]);
    } finally {
      agent.destroy();
    }
  });

  it("connection fresh: every answer closes its connection, and the fault hits a request first on its own", async () => {
    s3.server.setFaults([{ op: "PutObject", fault: "reset", connection: "fresh", times: 1 }]);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const before = await send(`${s3.server.url}/_local/health`, agent);
      expect(before.connection).toBe("close");
      await before.body;
      const url = await presignPut("fresh-connection");
      await expect(send(url, agent, "PUT", "x")).rejects.toThrow();
      expect(events.map((e) => e.effect)).toEqual(["connection reset after 0 body bytes, on a fresh connection"]);
      // Used up: connections are kept alive again.
      const after = await send(url, agent, "PUT", "x");
      expect([after.status, after.connection]).toEqual([200, "keep-alive"]);
    } finally {
      agent.destroy();
    }
  });
});
