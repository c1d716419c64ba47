import pino, { type Logger } from "pino";

/**
 * The process logger: JSON lines to stdout. Secrets never reach it: the redact list names the
 * fields that could carry them.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        "password",
        "*.password",
        "req.headers.authorization",
        "req.headers.cookie",
        "client_secret",
        "*.client_secret",
        "secret",
        "*.secret",
      ],
      censor: "[redacted]",
    },
  });
}
