import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Config } from "../config/index.ts";
import type { KeyRing } from "../platform/crypto/index.ts";
import type { Database } from "../platform/db/index.ts";
import { createHttpServer, type RequestInterceptor } from "../platform/http/index.ts";
import { createSignInRecorder } from "./activity/index.ts";
import { registerAdminApi } from "./admin-api/index.ts";
import type { IdentityDB } from "./db.ts";
import { registerOAuth } from "./oauth/index.ts";
import { registerPortal } from "./portal/index.ts";

export interface IdentityDeps {
  config: Config;
  database: Database<IdentityDB>;
  keyRing: KeyRing;
  logger: Logger;
  /** Whether notification email has an SMTP transport (the admin API reports it to the portal). */
  emailConfigured?: () => boolean;
}

/**
 * The Identity service's composition root: every module is wired here, once, by hand.
 */
export async function createIdentityApp(deps: IdentityDeps): Promise<FastifyInstance> {
  // Token requests skip Fastify's router (see oauth/protocol-routes.ts, "the token lane").
  const interceptor: RequestInterceptor = {};
  const app = createHttpServer({
    service: "identity",
    interceptor,
    logger: deps.logger,
    trustProxy: deps.config.trustProxy,
    ready: () => deps.database.ping(),
  });
  // The sign-in log: events are buffered and written in batches, flushed when the app closes.
  const signIns = createSignInRecorder({ db: deps.database.db, logger: deps.logger });
  app.addHook("onClose", () => signIns.close());
  // OAuth 2.0 / OpenID Connect: one issuer per tenant at `${publicUrl}/{tenantId}/v2.0`.
  await registerOAuth(
    app,
    {
      signIns,
      db: deps.database.db,
      keyRing: deps.keyRing,
      publicUrl: deps.config.identity.publicUrl,
      logger: deps.logger,
      trustProxy: deps.config.trustProxy,
      providerCacheSize: deps.config.providerCacheSize,
      consentRequestsPerUser: deps.config.consentRequestsPerUser,
    },
    { interceptor },
  );
  // Admin REST API under /api/v1 (tokens for api://assent-admin), OpenAPI at /api/openapi.json.
  await registerAdminApi(app, deps);
  // The admin portal (web/portal) under /{tenantId}/portal, signing in as the first-party client.
  await registerPortal(app, { db: deps.database.db, publicUrl: deps.config.identity.publicUrl });
  return app;
}
