/**
 * The app's one logger, created at start-up from LOG_LEVEL and LOG_FORMAT and handed to everything through
 * the services: JSON lines (pino's format, level as a word) for log collectors, or readable lines for people.
 */
import { pino, stdSerializers, stdTimeFunctions, type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";
import type { LogSettings } from "../config/app-config.js";

export type { Logger };

/** Keys only JSON consumers need; readable lines leave them out (the start banner's settings, say). */
export const JSON_ONLY_KEYS = ["settings"];

export function createLogger(settings: LogSettings, destination?: DestinationStream): Logger {
  const options = {
    level: settings.level,
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    serializers: { err: stdSerializers.err, error: stdSerializers.err },
  };
  if (settings.format === "json") return pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
  const readable = pretty({
    destination: destination ?? 1,
    sync: true,
    colorize: destination === undefined && process.stdout.isTTY,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: ["pid", "hostname", ...JSON_ONLY_KEYS].join(","),
    singleLine: true,
  });
  return pino(options, readable);
}

/** A logger that drops everything, for tools and tests that do not want the app's lines. */
export const silentLogger = (): Logger => pino({ level: "silent" });
