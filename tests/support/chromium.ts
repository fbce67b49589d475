import { existsSync } from "node:fs";

/**
 * How this project launches Chromium: Debian's build at /usr/bin/chromium (or CHROMIUM_PATH), with the
 * background services off, since the machines that run the tests have no network beyond loopback.
 */
export function chromiumLaunchOptions(): { executablePath?: string; args: string[] } {
  const executablePath =
    process.env.CHROMIUM_PATH ?? (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);
  return {
    ...(executablePath ? { executablePath } : {}),
    args: [
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  };
}
