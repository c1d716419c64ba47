import pino, { type Logger } from "pino";

const REDACT = [
  "password",
  "*.password",
  "req.headers.authorization",
  "req.headers.cookie",
  "client_secret",
  "*.client_secret",
  "secret",
  "*.secret",
];

/**
 * The process logger: JSON lines to stdout, or readable lines when a person watches a terminal
 * outside production. Secrets never reach it: the redact list names the fields that could carry them.
 */
export function createLogger(level: string, options: { pretty?: boolean } = {}): Logger {
  const pretty =
    options.pretty ?? (process.stdout.isTTY === true && process.env.NODE_ENV !== "production");
  return pino({
    level,
    redact: { paths: REDACT, censor: "[redacted]" },
    ...(pretty
      ? {
          transport: {
            target: "pino-pretty",
            options: { translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname", singleLine: true },
          },
        }
      : {}),
  });
}
