import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { connectMigrations } from "../../migrations/connect/index.ts";
import type { Config } from "../config/index.ts";
import type { KeyRing } from "../platform/crypto/index.ts";
import { type Database, migrate } from "../platform/db/index.ts";
import { connectDb, createConnectApp } from "./app.ts";
import { type ConnectBackground, startConnectBackground } from "./background.ts";
import { rekeyConnect } from "./rekey.ts";

export interface RunningConnectService {
  app: FastifyInstance;
  background: ConnectBackground;
  port: number;
  /** Stops the HTTP app and the outbox worker; the caller closes the database. */
  stop(): Promise<void>;
}

/**
 * Runs the Connect service (`assent serve connect`, and `assent start` beside the others):
 * applies the connect schema's pending migrations, re-encrypts what an older key still holds
 * (key rotation), starts the outbox worker (webhooks, email) and listens on
 * `config.host`:`config.connect.port`.
 *
 * @example
 * const connect = await startConnectService({ config, logger, database, keyRing, smtp });
 * process.on("SIGTERM", () => connect.stop().then(() => database.close()));
 */
export async function startConnectService<DB>(options: {
  config: Config;
  logger: Logger;
  database: Database<DB>;
  keyRing: KeyRing;
  smtp: { url: string; from: string } | undefined;
}): Promise<RunningConnectService> {
  const { config, logger, database, keyRing } = options;
  const db = connectDb(database);
  const applied = await migrate(db, connectMigrations);
  if (applied.length > 0) logger.info({ applied }, "connect migrations applied");
  // After a key rotation, move what is still under the previous key to the new one (in the
  // background: serving does not wait, and everything decrypts meanwhile).
  rekeyConnect(db, keyRing).then(
    ({ reencrypted }) => {
      if (reencrypted > 0) logger.info({ reencrypted }, "connect secrets re-encrypted");
    },
    (error: unknown) => logger.error({ err: error }, "connect re-encryption failed"),
  );
  const background = startConnectBackground({
    db,
    keyRing,
    logger,
    smtp: options.smtp,
    allowLoopback: config.env !== "production",
  });
  const app = createConnectApp({
    config,
    database,
    keyRing,
    logger,
    wake: () => background.worker.wake(),
  });
  try {
    await app.listen({ host: config.host, port: config.connect.port });
  } catch (error) {
    await background.stop();
    throw error;
  }
  return {
    app,
    background,
    port: (app.server.address() as AddressInfo).port,
    async stop() {
      await app.close();
      await background.stop();
    },
  };
}
