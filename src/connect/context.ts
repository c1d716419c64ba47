import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Config } from "../config/index.ts";
import type { KeyRing } from "../platform/crypto/index.ts";
import type { ProviderClients } from "./providers/provider-client.ts";
import type { ConnectDB } from "./tables.ts";

/** What Connect's routes and services share, wired once in the composition root (app.ts). */
export interface ConnectContext {
  config: Config;
  db: Kysely<ConnectDB>;
  keyRing: KeyRing;
  logger: Logger;
  /** `config.connect.publicUrl`: the base of every link Connect hands out. */
  publicUrl: string;
  /** The redirect URI registered at every provider: `${publicUrl}/v3/connect/callback`. */
  callbackUrl: string;
  providers: ProviderClients;
  /** Runs the outbox worker now (call after committing an event or email). */
  wake(): void;
  /** The clock a provider token's expiry is judged and recorded by (tests move it forward). */
  now(): Date;
}
