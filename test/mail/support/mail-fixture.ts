import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { loadConfig } from "../../../src/config/index.ts";
import { createMailApp } from "../../../src/mail/index.ts";
import type { Database } from "../../../src/platform/db/index.ts";
import type { TestIssuer } from "./test-issuer.ts";

export const silent = pino({ level: "silent" });
export const MAIL_URL = "http://mail.test";

/** Configuration for a Mail app trusting the test issuer. */
export function mailConfig(issuer: TestIssuer, env: Record<string, string> = {}) {
  return loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    ASSENT_MAIL_URL: MAIL_URL,
    ASSENT_MAIL_TRUSTED_ISSUER_BASE: issuer.base,
    ASSENT_MAIL_SMTP_PORT: "0",
    ...env,
  });
}

export function mailApp<DB>(
  issuer: TestIssuer,
  database: Database<DB>,
  env: Record<string, string> = {},
): FastifyInstance {
  return createMailApp({ config: mailConfig(issuer, env), database, logger: silent });
}

/** A fresh domain name per test, so tests sharing one database never collide. */
export function uniqueDomain(label = "contoso"): string {
  return `${label}-${randomUUID().slice(0, 8)}.example`;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
