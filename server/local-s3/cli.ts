import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { describeEvent } from "./events.js";
import { parseFaultConfigJson, type FaultConfig } from "./fault-rules.js";
import { startLocalS3OnStickyPort } from "./sticky-port.js";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    host: { type: "string" },
    data: { type: "string" },
    "access-key-id": { type: "string" },
    "secret-access-key": { type: "string" },
    bucket: { type: "string", multiple: true },
    "cors-origin": { type: "string", multiple: true },
    faults: { type: "string" },
    seed: { type: "string" },
    help: { type: "boolean" },
  },
});

const USAGE = `Usage: npm run local-s3 -- [options]
  --port N                  port to listen on (LOCAL_S3_PORT; default: the port it had last time, kept in the
                            data directory, or a free one on first start; 0 always picks a free one)
  --host HOST               address to bind (LOCAL_S3_HOST, default 127.0.0.1)
  --data DIR                data directory (LOCAL_S3_DATA, default .data/s3)
  --access-key-id KEY       access key id (LOCAL_S3_ACCESS_KEY_ID, default local-access-key)
  --secret-access-key KEY   secret access key (LOCAL_S3_SECRET_ACCESS_KEY, default local-secret-key)
  --bucket NAME             bucket to create at start; repeatable (LOCAL_S3_BUCKETS, comma-separated)
  --cors-origin ORIGIN      origin allowed by the default CORS rule; repeatable (LOCAL_S3_CORS_ORIGINS, comma-separated)
  --faults FILE             JSON file with fault rules: { "seed": N, "rules": [...] }, or the rules alone
                            (LOCAL_S3_FAULTS); each injected fault is printed as one line
  --seed N                  seed for fault probabilities (LOCAL_S3_SEED; default: the file's seed, else 1)`;

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const env = process.env;
const list = (flag: string[] | undefined, variable: string | undefined) =>
  flag ??
  (variable
    ? variable
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean)
    : []);

const settings = z
  .object({
    port: z.coerce.number().int().min(0).max(65535).optional(),
    host: z.string().min(1),
    data: z.string().min(1),
    accessKeyId: z.string().min(1),
    secretAccessKey: z.string().min(1),
    buckets: z.array(z.string()),
    corsOrigins: z.array(z.string().url()),
    faults: z.string().optional(),
    seed: z.coerce.number().int().optional(),
  })
  .safeParse({
    port: values.port ?? env.LOCAL_S3_PORT,
    host: values.host ?? env.LOCAL_S3_HOST ?? "127.0.0.1",
    data: values.data ?? env.LOCAL_S3_DATA ?? ".data/s3",
    accessKeyId: values["access-key-id"] ?? env.LOCAL_S3_ACCESS_KEY_ID ?? "local-access-key",
    secretAccessKey: values["secret-access-key"] ?? env.LOCAL_S3_SECRET_ACCESS_KEY ?? "local-secret-key",
    buckets: list(values.bucket, env.LOCAL_S3_BUCKETS),
    corsOrigins: list(values["cors-origin"], env.LOCAL_S3_CORS_ORIGINS),
    faults: values.faults ?? env.LOCAL_S3_FAULTS,
    seed: values.seed ?? env.LOCAL_S3_SEED,
  });

if (!settings.success) {
  for (const issue of settings.error.issues) console.error(`local-s3: --${issue.path.join(".")}: ${issue.message}`);
  console.error(USAGE);
  process.exit(2);
}
const s = settings.data;

let faults: FaultConfig = { rules: [] };
if (s.faults) {
  try {
    faults = parseFaultConfigJson(await readFile(s.faults, "utf8"));
  } catch (error) {
    // One line naming the field, e.g. "rules[0].probability: must be between 0 and 1".
    console.error(
      `local-s3: cannot use the fault rules in ${s.faults}: ${error instanceof Error ? error.message : error}`,
    );
    process.exit(2);
  }
}

const server = await startLocalS3OnStickyPort({
  port: s.port,
  host: s.host,
  dataDir: resolve(s.data),
  credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
  buckets: s.buckets,
  corsOrigins: s.corsOrigins,
  faults: faults.rules,
  seed: s.seed ?? faults.seed ?? 1,
  log: (event) => console.log(describeEvent(event)),
});

console.log(`local-s3 listening on ${server.url}
  data:              ${resolve(s.data)}
  access key id:     ${s.accessKeyId}
  secret access key: ${s.secretAccessKey}
  buckets:           ${
    server.store
      .listBuckets()
      .map((b) => b.name)
      .join(", ") || "(none yet)"
  }
  fault control:     ${server.url}/_local/faults   stats: ${server.url}/_local/stats`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void server.stop().then(() => process.exit(0));
  });
}
