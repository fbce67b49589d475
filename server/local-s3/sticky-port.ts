import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startLocalS3, type LocalS3, type LocalS3Options } from "./server.js";

const PORT_FILE = "port";

async function rememberedPort(dataDir: string): Promise<number | undefined> {
  const text = await readFile(join(dataDir, PORT_FILE), "utf8").catch(() => undefined);
  const port = Number(text?.trim());
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

const addressInUse = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code === "EADDRINUSE";

/**
 * Starts the local S3 on the port it had last time unless `port` is given: presigned URLs that browsers
 * still hold point at that port, so an app restart mid-upload must not move the storage. The first
 * start picks a free port and keeps it in the data directory; a remembered port that something else
 * took meanwhile is given up for a free one (with `onMoved` told), which is the best that can be done.
 */
export async function startLocalS3OnStickyPort(
  options: LocalS3Options,
  onMoved: (from: number, to: number) => void = () => undefined,
): Promise<LocalS3> {
  if (options.port !== undefined) return startLocalS3(options);
  const previous = await rememberedPort(options.dataDir);
  let server: LocalS3;
  try {
    server = await startLocalS3({ ...options, port: previous ?? 0 });
  } catch (error) {
    if (previous === undefined || !addressInUse(error)) throw error;
    server = await startLocalS3({ ...options, port: 0 });
    onMoved(previous, server.port);
  }
  if (server.port !== previous) {
    await mkdir(options.dataDir, { recursive: true });
    await writeFile(join(options.dataDir, PORT_FILE), `${server.port}\n`);
  }
  return server;
}
