/** Is the app able to serve? The database and the storage, checked separately and each within a time limit. */
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import { sql } from "kysely";
import type { Services } from "../services.js";

export interface DependencyHealth {
  status: "ok" | "down";
  latencyMs: number;
}

export interface Health {
  status: "ok" | "down";
  database: DependencyHealth;
  storage: DependencyHealth;
}

const TIMEOUT_MS = 3_000;

async function probe(name: string, services: Pick<Services, "log">, check: (signal: AbortSignal) => Promise<unknown>) {
  const started = performance.now();
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  const timedOut = new Promise<never>((_, reject) =>
    signal.addEventListener("abort", () => reject(new Error(`no answer within ${TIMEOUT_MS} ms`))),
  );
  try {
    await Promise.race([check(signal), timedOut]);
    return { status: "ok" as const, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    // The reason goes to the log only: /healthz is public and must not tell addresses or versions.
    services.log.warn({ component: "health", dependency: name, err: error }, `health: ${name} is down`);
    return { status: "down" as const, latencyMs: Math.round(performance.now() - started) };
  }
}

export async function checkHealth(services: Pick<Services, "db" | "storage" | "log">): Promise<Health> {
  const [database, storage] = await Promise.all([
    probe("database", services, () => sql`select 1`.execute(services.db)),
    probe("storage", services, (abortSignal) =>
      services.storage.client.send(new HeadBucketCommand({ Bucket: services.storage.bucket }), { abortSignal }),
    ),
  ]);
  return { status: database.status === "ok" && storage.status === "ok" ? "ok" : "down", database, storage };
}
