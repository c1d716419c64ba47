import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { type Config, insecureDefaults } from "../config/index.ts";
import { type RunningConnectService, startConnectService } from "../connect/index.ts";
import { type RunningDemoCrm, startDemoCrm } from "../demo/crm/index.ts";
import { type DemoSeed, seedDemo } from "../demo/seed.ts";
import { createIdentityApp } from "../identity/app.ts";
import { type IdentityBackground, startIdentityBackground } from "../identity/background.ts";
import type { IdentityDB } from "../identity/db.ts";
import { type RunningMailService, startMailService } from "../mail/index.ts";
import { loadKeyRing } from "../platform/crypto/index.ts";
import { type Database, openDatabase } from "../platform/db/index.ts";
import { migrateAll } from "./migrations.ts";

/** The deployables one process can run; `assent start` runs them all. */
export const SERVICES = ["identity", "mail", "connect"] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface RunningServices {
  /** Public URLs of what runs in this process. */
  urls: {
    identity?: string;
    connect?: string;
    mail?: string;
    mailbox?: string;
    smtp?: string;
    /** The demo app (Northwind CRM), with `demo` when Connect runs too. */
    demo?: string;
  };
  /** The demo world, when `demo` was asked for. */
  demo: DemoSeed | undefined;
  database: Database<IdentityDB>;
  /** Stops accepting connections, lets in-flight requests finish, then closes the database. */
  stop(): Promise<void>;
}

/**
 * Opens the database, applies migrations, and starts the chosen services on their ports.
 * Used by `assent start` (all of them), `assent serve <service>` (one), and tests.
 */
export async function startServices(
  config: Config,
  logger: Logger,
  options: { demo?: boolean; services?: readonly ServiceName[] } = {},
): Promise<RunningServices> {
  const services = new Set(options.services ?? SERVICES);
  const localSmtp = services.has("mail");
  for (const warning of insecureDefaults(config, { localSmtp }))
    logger.warn(`insecure default: ${warning}`);
  const database = await openDatabase<IdentityDB>(config.database);
  const servers: FastifyInstance[] = [];
  let mail: RunningMailService | undefined;
  let connect: RunningConnectService | undefined;
  let background: IdentityBackground | undefined;
  let demo: DemoSeed | undefined;
  let crm: RunningDemoCrm | undefined;
  const stopAll = async () => {
    await Promise.allSettled([
      crm?.stop(),
      mail?.stop(),
      connect?.stop(),
      ...servers.map((s) => s.close()),
    ]);
    await background?.stop();
  };
  try {
    const applied = await migrateAll(database.db);
    if (applied.length > 0) logger.info({ applied }, "migrations applied");
    const keyRing = loadKeyRing(config);
    if (options.demo) demo = await seedDemo(database, keyRing, config);
    if (services.has("mail")) mail = await startMailService(config, logger, database);
    // Without SMTP_URL, a process that also runs Mail sends to Mail's own intake, so the
    // demo's notifications land in real mailboxes; otherwise email waits in the outbox.
    const smtp =
      config.smtp ??
      (mail ? { url: `smtp://127.0.0.1:${mail.ports.smtp}`, from: config.smtpFrom } : undefined);
    if (services.has("identity")) {
      const identity = await createIdentityApp({
        config,
        database,
        keyRing,
        logger,
        emailConfigured: () => smtp !== undefined,
      });
      servers.push(identity);
      await identity.listen({ host: config.host, port: config.identity.port });
      // ASSENT_JOBS=false: a node that only answers requests; the outbox waits for a node that works it.
      if (config.jobs.enabled)
        background = startIdentityBackground({
          db: database.db,
          logger,
          smtp,
          consentRequests: {
            publicUrl: config.identity.publicUrl,
            keyRing,
            allowLoopbackWebhooks: config.env !== "production",
          },
          pollMs: config.jobs.pollMs,
          backoff: config.jobs.backoff,
        });
    }
    if (services.has("connect"))
      connect = await startConnectService({ config, logger, database, keyRing, smtp });
    // The demo app is part of `assent start`, not a service: a customer of Connect, over HTTP.
    if (demo?.crm && connect)
      crm = await startDemoCrm(
        {
          logger,
          publicUrl: config.demo.publicUrl,
          connectUrl: config.connect.publicUrl,
          applicationId: demo.crm.applicationId,
          apiKey: demo.crm.apiKey,
        },
        { host: config.host, port: config.demo.port },
      );
  } catch (error) {
    await stopAll();
    await database.close();
    throw error;
  }
  return {
    urls: {
      ...(services.has("identity") ? { identity: config.identity.publicUrl } : {}),
      ...(connect ? { connect: config.connect.publicUrl } : {}),
      ...(mail
        ? {
            mail: config.mail.publicUrl,
            smtp: `smtp://127.0.0.1:${mail.ports.smtp}`,
            ...(config.mail.mailboxPage ? { mailbox: `${config.mail.publicUrl}/mailbox` } : {}),
          }
        : {}),
      ...(crm ? { demo: config.demo.publicUrl } : {}),
    },
    demo,
    database,
    async stop() {
      await stopAll();
      await database.close();
    },
  };
}
