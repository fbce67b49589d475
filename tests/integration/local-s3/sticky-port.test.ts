import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startLocalS3OnStickyPort, type LocalS3 } from "../../../server/local-s3/index.js";
import { TEST_CREDENTIALS } from "../../support/local-s3.js";

let dataDir: string;
const running: LocalS3[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "local-s3-port-"));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  await rm(dataDir, { recursive: true, force: true });
});

async function start(port?: number, onMoved?: (from: number, to: number) => void): Promise<LocalS3> {
  const server = await startLocalS3OnStickyPort({ port, dataDir, credentials: TEST_CREDENTIALS }, onMoved);
  running.push(server);
  return server;
}

const occupy = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer().once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });

describe("the local S3's port across restarts", () => {
  it("keeps the port it picked on first start, so URLs signed before a restart still reach it", async () => {
    const first = await start();
    expect((await readFile(join(dataDir, "port"), "utf8")).trim()).toBe(String(first.port));
    await first.stop();
    running.length = 0;
    const second = await start();
    expect(second.port).toBe(first.port);
    expect((await fetch(`${second.url}/`)).status).toBe(403); // it answers: an unsigned ListBuckets
  });

  it("moves to a free port, and says so, when the remembered one was taken meanwhile", async () => {
    const first = await start();
    await first.stop();
    running.length = 0;
    const squatter = await occupy(first.port);
    try {
      const moves: Array<[number, number]> = [];
      const second = await start(undefined, (from, to) => moves.push([from, to]));
      expect(second.port).not.toBe(first.port);
      expect(moves).toEqual([[first.port, second.port]]);
      expect((await readFile(join(dataDir, "port"), "utf8")).trim()).toBe(String(second.port));
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it("uses an explicit port as given and does not remember it", async () => {
    const server = await start(0);
    expect(server.port).toBeGreaterThan(0);
    await expect(readFile(join(dataDir, "port"), "utf8")).rejects.toThrow();
  });
});
