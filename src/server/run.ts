import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { type Config, insecureDefaults } from "../config/index.ts";
import { createIdentityApp } from "../identity/app.ts";
import type { IdentityDB } from "../identity/db.ts";
import { loadKeyRing } from "../platform/crypto/index.ts";
import { type Database, openDatabase } from "../platform/db/index.ts";
import { migrateAll } from "./migrations.ts";

export interface RunningServices {
  urls: Record<string, string>;
  database: Database<IdentityDB>;
  /** Stops accepting connections, lets in-flight requests finish, then closes the database. */
  stop(): Promise<void>;
}

/**
 * Opens the database, applies migrations, and starts the services on their ports.
 * Used by `assent start` and by the tests that need real listening servers.
 */
export async function startServices(config: Config, logger: Logger): Promise<RunningServices> {
  for (const warning of insecureDefaults(config)) logger.warn(`insecure default: ${warning}`);
  const database = await openDatabase<IdentityDB>(config.database);
  const servers: FastifyInstance[] = [];
  try {
    const applied = await migrateAll(database.db);
    if (applied.length > 0) logger.info({ applied }, "migrations applied");
    const keyRing = loadKeyRing(config);
    const identity = await createIdentityApp({ config, database, keyRing, logger });
    servers.push(identity);
    await identity.listen({ host: config.host, port: config.identity.port });
  } catch (error) {
    await Promise.allSettled(servers.map((s) => s.close()));
    await database.close();
    throw error;
  }
  return {
    urls: { identity: config.identity.publicUrl },
    database,
    async stop() {
      await Promise.allSettled(servers.map((s) => s.close()));
      await database.close();
    },
  };
}
