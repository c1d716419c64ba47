import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Config } from "../config/index.ts";
import type { Database } from "../platform/db/index.ts";
import { createHttpServer, sendApiError } from "../platform/http/index.ts";
import { type AccessTokenVerifier, createAccessTokenVerifier } from "./auth/access-token.ts";
import { createAuthenticator } from "./auth/bearer.ts";
import { sendGraphError } from "./graph/graph-error.ts";
import { graphApi } from "./routes/graph-api.ts";
import { mailboxPage } from "./routes/mailbox-page.ts";
import { listenSmtpIntake, type SmtpIntake } from "./smtp/smtp-intake.ts";
import type { MailDB } from "./tables.ts";

export interface MailDeps<DB = unknown> {
  config: Config;
  /** A database migrated with the mail schema (any service's handle: Mail uses only `mail.*`). */
  database: Database<DB>;
  logger: Logger;
  /** Replaces the JWKS-backed token verifier (the default trusts `config.mail.trustedIssuerBase`). */
  verifier?: AccessTokenVerifier;
}

/** Whether a request is for the Graph-shaped API (its path, not its query, under `/v1.0`). */
function isGraphRequest(url: string): boolean {
  return /^\/v1\.0(?:[/?]|$)/.test(url);
}

/** The mail schema's view of a shared database handle. */
export function mailDb<DB>(database: Database<DB>): Kysely<MailDB> {
  return database.db as unknown as Kysely<MailDB>;
}

/**
 * The Mail service's HTTP app (composition root): the Graph-shaped API under `/v1.0`, the
 * loopback mailbox page when enabled, and the platform's health endpoints. Not listening yet.
 *
 * @example
 * const app = createMailApp({ config, database, logger });
 * const me = await app.inject({ url: "/v1.0/me", headers: { authorization: `Bearer ${token}` } });
 */
export function createMailApp<DB>(deps: MailDeps<DB>): FastifyInstance {
  const { config, database, logger } = deps;
  const db = mailDb(database);
  const app = createHttpServer({
    service: "mail",
    logger,
    trustProxy: config.trustProxy,
    ready: () => database.ping(),
    // Errors raised before any route runs (a malformed percent-encoding, an over-long path
    // segment) are written here, outside the Graph scope: under /v1.0 they are Graph's too.
    sendError: (request, reply, error) =>
      isGraphRequest(request.url)
        ? sendGraphError(request, reply, error)
        : sendApiError(request, reply, error),
  });
  const verify =
    deps.verifier ??
    createAccessTokenVerifier({
      issuerBase: config.mail.trustedIssuerBase,
      jwksCooldownMs: config.mail.jwksCooldownMs,
    });
  app.register(
    graphApi({ db, authenticate: createAuthenticator(verify), publicUrl: config.mail.publicUrl }),
    { prefix: "/v1.0" },
  );
  if (config.mail.mailboxPage) app.register(mailboxPage({ db }));
  return app;
}

/**
 * Starts the SMTP intake on 127.0.0.1:`config.mail.smtpPort` (0 picks a free port).
 *
 * @example
 * const smtp = await startSmtpIntake({ config, database, logger });
 * // SMTP_URL=smtp://127.0.0.1:${smtp.port} ... later: await smtp.close();
 */
export function startSmtpIntake<DB>(deps: Omit<MailDeps<DB>, "verifier">): Promise<SmtpIntake> {
  return listenSmtpIntake({
    db: mailDb(deps.database),
    logger: deps.logger,
    port: deps.config.mail.smtpPort,
    maxBytes: deps.config.mail.smtpMaxBytes,
    closeTimeoutMs: deps.config.shutdownTimeoutMs,
  });
}
