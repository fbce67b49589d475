import type { S3Client } from "@aws-sdk/client-s3";
import type { Metrics } from "./metrics.js";

/** "ListPartsCommand" → "ListParts". */
const operationOf = (commandName: string | undefined) => (commandName ?? "unknown").replace(/Command$/, "");

/** S3's error code ("NoSuchUpload", "SlowDown"), or the network error's ("ECONNREFUSED", "TimeoutError"). */
function errorCode(error: unknown): string {
  if (typeof error !== "object" || error === null) return "unknown";
  const e = error as { Code?: unknown; code?: unknown; name?: unknown };
  for (const value of [e.Code, e.code, e.name]) if (typeof value === "string" && value) return value;
  return "unknown";
}

/**
 * Times each HTTP attempt the client makes and counts failures, by operation. It sits in the deserialize
 * step, below the SDK's retries (each attempt counts) and below presigning (building a URL is no S3 call).
 */
export function instrumentS3Client(client: S3Client, metrics: Metrics): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = operationOf(context.commandName);
      const started = performance.now();
      try {
        const result = await next(args);
        metrics.s3.requestSeconds.observe({ operation, outcome: "ok" }, (performance.now() - started) / 1000);
        return result;
      } catch (error) {
        metrics.s3.requestSeconds.observe({ operation, outcome: "error" }, (performance.now() - started) / 1000);
        metrics.s3.errors.inc({ operation, code: errorCode(error) });
        throw error;
      }
    },
    { step: "deserialize", name: "feedupS3Metrics", priority: "high" },
  );
}
