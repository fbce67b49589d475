import { createLogger, type Logger } from "../../server/observability/logger.js";

export type LogRecord = Record<string, unknown> & { level: string; msg: string };

/** The app's logger writing JSON lines into an array the test can read. */
export function captureLogs(level: "debug" | "info" = "debug"): { log: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const log = createLogger(
    { level, format: "json" },
    { write: (line: string) => void records.push(JSON.parse(line) as LogRecord) },
  );
  return { log, records };
}
