import { S3ServiceException } from "@aws-sdk/client-s3";
import type { ServerBuild } from "@remix-run/node";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { unavailableDependency, withOutageAnswers } from "../../server/http/unavailable.js";
import { captureLogs } from "../support/logs.js";

function sqlError(code: string): pg.DatabaseError {
  const error = new pg.DatabaseError("server said no", 0, "error");
  Object.assign(error, { code, severity: "FATAL" });
  return error;
}

const s3Error = (status: number, name = "InternalError") =>
  new S3ServiceException({ name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status } });

const networkError = (code: string, fields: object = {}) =>
  Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, ...fields });

describe("unavailableDependency", () => {
  it("reads a PostgreSQL going away, refusing connections or cancelling a slow statement as the database", () => {
    for (const code of ["57P01", "57P02", "57P03", "08006", "53300", "57014"])
      expect(unavailableDependency(sqlError(code)), code).toBe("database");
    expect(unavailableDependency(networkError("ECONNREFUSED"))).toBe("database");
    expect(unavailableDependency(new Error("Connection terminated unexpectedly"))).toBe("database");
    expect(unavailableDependency(new Error("timeout exceeded when trying to connect"))).toBe("database");
  });

  it("reads S3's 5xx, timeouts and connection failures (after the SDK's retries) as storage", () => {
    expect(unavailableDependency(s3Error(503, "SlowDown"))).toBe("storage");
    expect(unavailableDependency(s3Error(500))).toBe("storage");
    expect(unavailableDependency(networkError("ECONNREFUSED", { $metadata: { attempts: 3 } }))).toBe("storage");
    expect(unavailableDependency(Object.assign(new Error("late"), { name: "TimeoutError", $metadata: {} }))).toBe(
      "storage",
    );
  });

  it("leaves bugs and refusals alone: they are not outages", () => {
    expect(unavailableDependency(sqlError("23505"))).toBeUndefined(); // unique violation
    expect(unavailableDependency(sqlError("42P01"))).toBeUndefined(); // missing table
    expect(unavailableDependency(s3Error(403, "AccessDenied"))).toBeUndefined();
    expect(unavailableDependency(new TypeError("x is undefined"))).toBeUndefined();
    expect(unavailableDependency("a string")).toBeUndefined();
  });
});

describe("withOutageAnswers", () => {
  const failing = (error: unknown) => async () => {
    throw error;
  };
  const build = {
    routes: {
      "routes/api.uploads": {
        id: "routes/api.uploads",
        path: "api/uploads",
        module: { action: failing(sqlError("57P01")) },
      },
      // Nested: its own path is relative to its parent's.
      "routes/api.uploads.$id": {
        id: "routes/api.uploads.$id",
        parentId: "routes/api.uploads",
        path: ":id",
        module: { loader: failing(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })) },
      },
      "routes/api.me": { id: "routes/api.me", path: "api/me", module: { loader: failing(new TypeError("bug")) } },
      "routes/_index": { id: "routes/_index", index: true, module: { loader: failing(sqlError("57P01")) } },
    },
  } as unknown as ServerBuild;
  const { log, records } = captureLogs();
  const wrapped = withOutageAnswers(build, log);
  const run = (id: string, fn: "loader" | "action") =>
    (wrapped.routes[id]!.module[fn] as unknown as () => Promise<unknown>)().catch((thrown: unknown) => thrown);

  it("turns an API route's outage into a 503 JSON answer with Retry-After", async () => {
    const answer = (await run("routes/api.uploads", "action")) as Response;
    expect(answer.status).toBe(503);
    expect(answer.headers.get("Retry-After")).toBe("2");
    expect(await answer.json()).toEqual({
      error: { code: "service_unavailable", message: expect.stringMatching(/^The database cannot be reached/) },
    });
    // Logged once, as a warning with its cause, on the app's logger.
    expect(records.at(-1)).toMatchObject({
      level: "warn",
      msg: "API request failed: dependency unavailable",
      dependency: "database",
      err: { message: "server said no" },
    });
  });

  it("covers nested API routes, whose own path does not start with api/", async () => {
    expect(((await run("routes/api.uploads.$id", "loader")) as Response).status).toBe(503);
  });

  it("lets other errors and pages through unchanged", async () => {
    expect(await run("routes/api.me", "loader")).toBeInstanceOf(TypeError);
    expect(await run("routes/_index", "loader")).toBeInstanceOf(pg.DatabaseError);
  });
});
