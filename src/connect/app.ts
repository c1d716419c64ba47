import formbody from "@fastify/formbody";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Config } from "../config/index.ts";
import type { KeyRing } from "../platform/crypto/index.ts";
import type { Database } from "../platform/db/index.ts";
import { createHttpServer } from "../platform/http/index.ts";
import { apiKeyAuth, applicationRoutes } from "./applications/index.ts";
import {
  approvalApiRoutes,
  approvalPageRoutes,
  identityEventRoutes,
  identitySubscriptionRoutes,
} from "./approvals/index.ts";
import { authRoutes } from "./auth/routes.ts";
import { connectorRoutes } from "./connectors/index.ts";
import type { ConnectContext } from "./context.ts";
import { grantRoutes } from "./grants/index.ts";
import { notFound, sendConnectError } from "./http/errors.ts";
import { messageRoutes } from "./messages/routes.ts";
import { ProviderClients } from "./providers/provider-client.ts";
import type { ConnectDB } from "./tables.ts";
import { webhookRoutes } from "./webhooks/index.ts";

export interface ConnectDeps<DB = unknown> {
  config: Config;
  /** A database migrated with the connect schema (any service's handle: Connect uses only `connect.*`). */
  database: Database<DB>;
  keyRing: KeyRing;
  logger: Logger;
  /** Runs the outbox worker at once after an event is committed (the background's `worker.wake`). */
  wake?: () => void;
  /** The clock token expiry is judged by (tests move it forward); default the wall clock. */
  now?: () => Date;
}

/** The connect schema's view of a shared database handle. */
export function connectDb<DB>(database: Database<DB>): Kysely<ConnectDB> {
  return database.db as unknown as Kysely<ConnectDB>;
}

/**
 * The Connect service's HTTP app (composition root): hosted auth and the pages people see
 * (no API key), and the Nylas-v3-shaped REST API behind the application's API key. Errors, an
 * unknown path's 404 included, use Nylas's envelope. Not listening yet.
 *
 * @example
 * const app = createConnectApp({ config, database, keyRing, logger });
 * const grants = await app.inject({ url: "/v3/grants", headers: { authorization: `Bearer ${apiKey}` } });
 */
export function createConnectApp<DB>(deps: ConnectDeps<DB>): FastifyInstance {
  const { config, database, logger } = deps;
  const db = connectDb(database);
  const ctx: ConnectContext = {
    config,
    db,
    keyRing: deps.keyRing,
    logger: logger.child({ service: "connect" }),
    publicUrl: config.connect.publicUrl,
    callbackUrl: `${config.connect.publicUrl}/v3/connect/callback`,
    providers: new ProviderClients({
      defaultMailApiUrl: `${config.mail.publicUrl}/v1.0`,
      max: config.providerCacheSize,
    }),
    wake: deps.wake ?? (() => {}),
    now: deps.now ?? (() => new Date()),
  };
  const app = createHttpServer({
    service: "connect",
    logger,
    trustProxy: config.trustProxy,
    ready: () => database.ping(),
    // Every error, an unknown path included, in Nylas's envelope: the SDK reads it unchanged.
    sendError: sendConnectError,
    sendNotFound: (request, reply) =>
      sendConnectError(
        request,
        reply,
        notFound(`No route ${request.method} ${request.url.split("?")[0]}: see docs/connect.md.`),
      ),
  });
  app.register(async (scope) => {
    scope.register(formbody);
    // People and OAuth clients: no API key.
    scope.register(authRoutes(ctx));
    scope.register(approvalPageRoutes(ctx));
    scope.register(identityEventRoutes(ctx));
    // The REST API: the application's API key on every call.
    scope.register(async (api) => {
      api.addHook("onRequest", apiKeyAuth(db));
      api.register(applicationRoutes(ctx));
      api.register(connectorRoutes(ctx));
      api.register(identitySubscriptionRoutes(ctx));
      api.register(grantRoutes(ctx));
      api.register(messageRoutes(ctx));
      api.register(approvalApiRoutes(ctx));
      api.register(webhookRoutes(ctx));
    });
  });
  return app;
}
