import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { mailMigrations } from "../../migrations/mail/index.ts";
import type { Config } from "../config/index.ts";
import { type Database, migrate } from "../platform/db/index.ts";
import { createMailApp, mailDb, startSmtpIntake } from "./app.ts";
import type { SmtpIntake } from "./smtp/smtp-intake.ts";

export interface RunningMailService {
  app: FastifyInstance;
  smtp: SmtpIntake;
  /** The API's listening port and the SMTP intake's (useful when configured as 0). */
  ports: { http: number; smtp: number };
  /** Stops the SMTP intake and the HTTP app; the caller closes the database. */
  stop(): Promise<void>;
}

/**
 * Runs the Mail service (`assent serve mail`, and `assent start` beside the others): applies
 * the mail schema's pending migrations, then listens for HTTP on `config.host`:`config.mail.port`
 * and for SMTP on 127.0.0.1:`config.mail.smtpPort`.
 *
 * @example
 * const mail = await startMailService(config, logger, database);
 * process.on("SIGTERM", () => mail.stop().then(() => database.close()));
 */
export async function startMailService<DB>(
  config: Config,
  logger: Logger,
  database: Database<DB>,
): Promise<RunningMailService> {
  const applied = await migrate(mailDb(database), mailMigrations);
  if (applied.length > 0) logger.info({ applied }, "mail migrations applied");
  const app = createMailApp({ config, database, logger });
  await app.listen({ host: config.host, port: config.mail.port });
  let smtp: SmtpIntake;
  try {
    smtp = await startSmtpIntake({ config, database, logger });
  } catch (error) {
    await app.close();
    throw error;
  }
  const http = (app.server.address() as AddressInfo).port;
  return {
    app,
    smtp,
    ports: { http, smtp: smtp.port },
    async stop() {
      await Promise.allSettled([smtp.close(), app.close()]);
    },
  };
}
