import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_CREDENTIALS, s3Client } from "../../support/local-s3.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "local-s3-cli-"));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Starts `npm run local-s3`'s program with these arguments and environment; output is collected as it comes. */
function startCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "server/local-s3/cli.ts",
      "--port",
      "0",
      "--data",
      join(dir, "data"),
      "--access-key-id",
      TEST_CREDENTIALS.accessKeyId,
      "--secret-access-key",
      TEST_CREDENTIALS.secretAccessKey,
      ...args,
    ],
    { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const output = { stdout: "", stderr: "" };
  child.stdout!.on("data", (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output, exited };
}

/** Resolves once `read()` matches `pattern`, polling as output arrives; fails if the process exits first. */
function waitFor(child: ChildProcess, read: () => string, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = read().match(pattern);
      if (!match) return;
      child.stdout!.off("data", check);
      child.off("exit", onExit);
      resolve(match);
    };
    const onExit = () => reject(new Error(`exited before printing ${pattern}: ${read()}`));
    child.stdout!.on("data", check);
    child.once("exit", onExit);
    check();
  });
}

describe("the local S3 command line", () => {
  it("refuses a bad fault file with one line naming the field", async () => {
    const file = join(dir, "bad-faults.json");
    await writeFile(file, JSON.stringify({ seed: 1, rules: [{ op: "UploadPart", fault: "reset", probability: 5 }] }));
    const { output, exited } = startCli([], { LOCAL_S3_FAULTS: file });
    expect(await exited).toBe(2);
    expect(output.stderr.trim()).toBe(
      `local-s3: cannot use the fault rules in ${file}: rules[0].probability: must be between 0 and 1`,
    );
  });

  it("takes { seed, rules } from --faults and prints one line per injected fault", async () => {
    const file = join(dir, "faults.json");
    await writeFile(
      file,
      JSON.stringify({ seed: 7, rules: [{ op: "HeadBucket", fault: "status", status: 503, times: 1 }] }),
    );
    const { child, output, exited } = startCli(["--faults", file, "--bucket", "drill"]);
    try {
      const [, url] = await waitFor(child, () => output.stdout, /listening on (http:\S+)/);
      const state = (await (await fetch(`${url}/_local/faults`)).json()) as { seed: number; rules: unknown[] };
      expect([state.seed, state.rules.length]).toEqual([7, 1]);
      const client = s3Client(url!);
      await expect(client.send(new HeadBucketCommand({ Bucket: "drill" }))).rejects.toThrow();
      client.destroy();
      const [line] = await waitFor(child, () => output.stdout, /^local S3: fault .*$/m);
      expect(line).toBe("local S3: fault rules[0] on HeadBucket (drill/): answered 503 SlowDown");
    } finally {
      child.kill("SIGTERM");
      await exited;
    }
  });
});
