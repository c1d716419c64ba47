import type { IncomingMessage, ServerResponse } from "node:http";
import { LRUCache } from "lru-cache";
import type { Provider } from "oidc-provider";
import type { Tenant } from "../../directory/index.ts";
import { tenantCookieSecret } from "./cookie-keys.ts";
import { createTenantProvider } from "./create-provider.ts";
import type { OAuthDeps, TenantRuntime } from "./runtime.ts";

/** A tenant's built provider and the request handler made from it. */
export interface TenantProvider {
  runtime: TenantRuntime;
  provider: Provider;
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

// Rebuilt at least this often even without a tenant change, so a retired signing key whose
// publication window ends drops out of the JWKS without anyone touching the tenant.
const MAX_AGE_MS = 10 * 60 * 1000;

/**
 * Per-tenant providers, built lazily and kept in a bounded LRU cache. An entry is keyed by the
 * tenant's `updated_at`, which key rotation and tenant changes bump, so every node rebuilds on
 * its next request for the tenant; nothing here is state another node cannot rebuild.
 * Concurrent requests for a tenant being built share the one build.
 */
export class ProviderCache {
  readonly #deps: OAuthDeps;
  readonly #cache: LRUCache<string, { version: string; built: Promise<TenantProvider> }>;

  constructor(deps: OAuthDeps) {
    this.#deps = deps;
    this.#cache = new LRUCache({ max: deps.providerCacheSize, ttl: MAX_AGE_MS });
  }

  get(tenant: Tenant): Promise<TenantProvider> {
    const version = `${tenant.updatedAt.getTime()}`;
    const hit = this.#cache.get(tenant.id);
    if (hit && hit.version === version) return hit.built;
    const built = this.#build(tenant);
    const entry = { version, built };
    this.#cache.set(tenant.id, entry);
    built.catch(() => {
      if (this.#cache.get(tenant.id) === entry) this.#cache.delete(tenant.id);
    });
    return built;
  }

  async #build(tenant: Tenant): Promise<TenantProvider> {
    const cookieSecret = await tenantCookieSecret(this.#deps.db, this.#deps.keyRing, tenant.id);
    const runtime: TenantRuntime = { ...this.#deps, tenant, cookieSecret };
    const provider = await createTenantProvider(runtime);
    return { runtime, provider, handle: provider.callback() };
  }
}
