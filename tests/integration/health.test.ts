import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loader as healthz } from "~/routes/healthz";
import { createDb } from "../../server/db/connection.js";
import { freePort } from "../../server/db/embedded.js";
import { call } from "../support/requests.js";
import { startTestApp, type TestApp } from "../support/services.js";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app.close());

describe("GET /healthz", () => {
  it("reports the database and the storage separately", async () => {
    const response = await call(healthz, app.services, "/healthz");
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({
      status: "ok",
      database: { status: "ok", latencyMs: expect.any(Number) },
      storage: { status: "ok", latencyMs: expect.any(Number) },
    });
  });

  it("answers 503 naming storage when S3 cannot be reached, without telling where it is", async () => {
    const unreachable = app.withEnv({ S3_ENDPOINT: `http://127.0.0.1:${await freePort()}` });
    const response = await call(healthz, unreachable, "/healthz");
    expect(response.status).toBe(503);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: "down", database: { status: "ok" }, storage: { status: "down" } });
    expect(JSON.stringify(body)).not.toContain("127.0.0.1");
    expect(app.logs.some((line) => line.component === "health" && line.dependency === "storage")).toBe(true);
  });

  it("answers 503 naming the database when PostgreSQL cannot be reached", async () => {
    const db = createDb(`postgres://nobody:x@127.0.0.1:${await freePort()}/none`, { poolSize: 1 });
    try {
      const response = await call(healthz, { ...app.services, db }, "/healthz");
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({
        status: "down",
        database: { status: "down" },
        storage: { status: "ok" },
      });
    } finally {
      await db.destroy();
    }
  });
});
