// npm start: builds the app if the build is missing or older than its sources, then runs the server.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const BUILD = "build/index.js";

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestMtime(join(path, entry))), stat.mtimeMs);
}

function buildIsStale() {
  if (!existsSync(BUILD) || !existsSync("public/build")) return true;
  const built = statSync(BUILD).mtimeMs;
  const sources = [
    "app",
    "server",
    "remix.config.js",
    "tailwind.config.ts",
    "postcss.config.js",
    "package-lock.json",
  ].filter(existsSync);
  return sources.some((source) => newestMtime(source) > built);
}

if (buildIsStale()) {
  console.log("Building the app…");
  const result = spawnSync(process.execPath, ["node_modules/@remix-run/dev/dist/cli.js", "build"], {
    stdio: "inherit",
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

// The pinned AWS SDK supports Node 20; its notice about future versions is not actionable here.
const env = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...process.env };
const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], { stdio: "inherit", env });
// Ctrl-C reaches the server directly (same process group); this process only waits for it to finish.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
