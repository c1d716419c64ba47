import type { Logger } from "pino";
import { type Config, loadConfig } from "../config/index.ts";
import type { IdentityDB } from "../identity/db.ts";
import { type KeyRing, loadKeyRing } from "../platform/crypto/index.ts";
import { type Database, openDatabase } from "../platform/db/index.ts";
import { createLogger } from "../platform/logger.ts";
import { migrateAll } from "../server/migrations.ts";

/** A clear, one-line failure: the CLI prints the message and exits non-zero. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads a secret: from a hidden prompt on a terminal, or one line of stdin otherwise. */
  readSecret: (prompt: string) => Promise<string>;
  env: Record<string, string | undefined>;
}

/**
 * What a command needs, opened lazily: commands that do not touch the database do not open it.
 * `close()` releases whatever was opened.
 */
export class CliContext {
  #config: Config | undefined;
  #database: Promise<Database<IdentityDB>> | undefined;
  #keyRing: KeyRing | undefined;
  #logger: Logger | undefined;

  constructor(
    readonly io: CliIo,
    readonly json: boolean,
  ) {}

  get config(): Config {
    this.#config ??= loadConfig(this.io.env);
    return this.#config;
  }

  get logger(): Logger {
    this.#logger ??= createLogger(this.config.logLevel);
    return this.#logger;
  }

  get keyRing(): KeyRing {
    this.#keyRing ??= loadKeyRing(this.config);
    return this.#keyRing;
  }

  /** The identity database, migrated to the latest schema. */
  database(): Promise<Database<IdentityDB>> {
    this.#database ??= (async () => {
      const database = await openDatabase<IdentityDB>(this.config.database);
      await migrateAll(database.db);
      return database;
    })();
    return this.#database;
  }

  /** Prints a result: JSON with --json, otherwise the human text. */
  print(value: unknown, human: () => string): void {
    this.io.stdout(this.json ? JSON.stringify(value, null, 2) : human());
  }

  async close(): Promise<void> {
    if (this.#database) await (await this.#database.catch(() => undefined))?.close();
  }
}
