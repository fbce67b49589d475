import type { AddressInfo } from "node:net";
import express from "express";
import { describe, expect, it } from "vitest";
import { appDuration, serverTimingValue } from "../../app/shared/server-timing.js";
import { serverTiming } from "../../server/http/server-timing.js";

describe("Server-Timing", () => {
  it("tells the app's time on the answers it covers, and only those", async () => {
    const app = express();
    app.use("/api", serverTiming);
    app.get("/api/slow", (_req, res) => void setTimeout(() => res.json({ ok: true }), 30));
    app.get("/page", (_req, res) => void res.send("page"));
    const server = app.listen(0);
    await new Promise((resolve) => server.once("listening", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const api = await fetch(`${base}/api/slow`);
      expect(await api.json()).toEqual({ ok: true });
      const ms = appDuration(api.headers.get("Server-Timing"));
      expect(ms).toBeGreaterThanOrEqual(29);
      expect(ms).toBeLessThan(10_000);
      const page = await fetch(`${base}/page`);
      expect(page.headers.get("Server-Timing")).toBeNull();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("reads the app's entry among others, and nothing from a header without one", () => {
    expect(appDuration(serverTimingValue(12.345))).toBe(12.3);
    expect(appDuration('cdn;desc="edge";dur=3, app;dur=41.5')).toBe(41.5);
    expect(appDuration("db;dur=5")).toBeUndefined();
    expect(appDuration(null)).toBeUndefined();
  });
});
