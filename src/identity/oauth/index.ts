import type { FastifyInstance } from "fastify";
import type { RequestInterceptor } from "../../platform/http/index.ts";
import { errorRoutes } from "./error-routes.tsx";
import { firstPartyRoutes } from "./first-party/routes.ts";
import { interactionRoutes } from "./interaction/routes.ts";
import { protocolRoutes } from "./protocol-routes.ts";
import { ProviderCache } from "./provider/provider-cache.ts";
import type { OAuthDeps } from "./provider/runtime.ts";

/**
 * The OAuth 2.0 / OpenID Connect authorization server of Assent Identity: one issuer per
 * tenant (`{publicUrl}/{tenantId}/v2.0`) on oidc-provider, Entra-shaped endpoints and errors,
 * sign-in and consent pages, tenant-wide admin consent and My apps. Registered once by the
 * composition root (src/identity/app.ts).
 *
 * @example
 * await registerOAuth(app, { db, keyRing, publicUrl, logger, trustProxy, providerCacheSize: 500 });
 */
export async function registerOAuth(
  app: FastifyInstance,
  deps: OAuthDeps,
  options: {
    /** The server's lane before Fastify's router (createHttpServer): token requests take it. */
    interceptor?: RequestInterceptor;
  } = {},
): Promise<ProviderCache> {
  const cache = new ProviderCache(deps);
  await app.register(protocolRoutes, { deps, cache, ...options });
  await app.register(interactionRoutes, { deps, cache });
  await app.register(firstPartyRoutes, { deps, cache });
  await app.register(errorRoutes);
  return cache;
}

export { type AccessDecision, type AccessRequest, decideAccess } from "./access-decision.ts";
export { type CatalogEntry, catalogEntry, ERROR_CATALOG } from "./error-catalog.ts";
export { entraError, withEntraCode } from "./errors/entra-error.ts";
export { ProviderCache, type TenantProvider } from "./provider/provider-cache.ts";
export { issuerOf, type OAuthDeps } from "./provider/runtime.ts";
export { purgeExpiredArtifacts } from "./purge.ts";
