/** pino loggers: JSON lines to a file, and the same to the console above a level. */
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import pino from "pino";
import type { Logger } from "../core/ports.ts";

/** Fields that must never reach a log, whatever a caller passes. */
export const REDACT = [
  "authorization",
  "token",
  "secret",
  "apiToken",
  "agentToken",
  "*.authorization",
  "*.token",
];

export function createFileLogger(file: string, consoleLevel: string): Logger {
  mkdirSync(dirname(file), { recursive: true });
  return pino(
    { level: "debug", redact: { paths: REDACT, censor: "[redacted]" } },
    pino.multistream([
      { level: "info", stream: createWriteStream(file, { flags: "a" }) },
      { level: consoleLevel as pino.Level, stream: process.stderr },
    ]),
  );
}
