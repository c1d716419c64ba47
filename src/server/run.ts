import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { type Config, insecureDefaults } from "../config/index.ts";
import { type DemoSeed, seedDemo } from "../demo/seed.ts";
import { createIdentityApp } from "../identity/app.ts";
import type { IdentityDB } from "../identity/db.ts";
import { type RunningMailService, startMailService } from "../mail/index.ts";
import { loadKeyRing } from "../platform/crypto/index.ts";
import { type Database, openDatabase } from "../platform/db/index.ts";
import { migrateAll } from "./migrations.ts";

export interface RunningServices {
  urls: { identity: string; mail: string; mailbox: string | undefined; smtp: string };
  /** The demo world, when `demo` was asked for. */
  demo: DemoSeed | undefined;
  database: Database<IdentityDB>;
  /** Stops accepting connections, lets in-flight requests finish, then closes the database. */
  stop(): Promise<void>;
}

/**
 * Opens the database, applies migrations, and starts the services on their ports.
 * Used by `assent start` and by the tests that need real listening servers.
 */
export async function startServices(
  config: Config,
  logger: Logger,
  options: { demo?: boolean } = {},
): Promise<RunningServices> {
  for (const warning of insecureDefaults(config)) logger.warn(`insecure default: ${warning}`);
  const database = await openDatabase<IdentityDB>(config.database);
  const servers: FastifyInstance[] = [];
  let mail: RunningMailService | undefined;
  let demo: DemoSeed | undefined;
  try {
    const applied = await migrateAll(database.db);
    if (applied.length > 0) logger.info({ applied }, "migrations applied");
    const keyRing = loadKeyRing(config);
    if (options.demo) demo = await seedDemo(database, keyRing, config);
    const identity = await createIdentityApp({ config, database, keyRing, logger });
    servers.push(identity);
    await identity.listen({ host: config.host, port: config.identity.port });
    mail = await startMailService(config, logger, database);
  } catch (error) {
    await Promise.allSettled([mail?.stop(), ...servers.map((s) => s.close())]);
    await database.close();
    throw error;
  }
  return {
    urls: {
      identity: config.identity.publicUrl,
      mail: config.mail.publicUrl,
      mailbox: config.mail.mailboxPage ? `${config.mail.publicUrl}/mailbox` : undefined,
      smtp: `smtp://127.0.0.1:${mail.ports.smtp}`,
    },
    demo,
    database,
    async stop() {
      await Promise.allSettled([mail?.stop(), ...servers.map((s) => s.close())]);
      await database.close();
    },
  };
}
