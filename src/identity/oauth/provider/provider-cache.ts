import type { IncomingMessage, ServerResponse } from "node:http";
import { LRUCache } from "lru-cache";
import type { Provider } from "oidc-provider";
import type { Tenant } from "../../directory/index.ts";
import { type CacheVersions, selectCacheVersions, versionsReadWith } from "./cache-versions.ts";
import { TenantCatalog } from "./catalog.ts";
import { deriveKey, tenantCookieSecret } from "./cookie-keys.ts";
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

interface Entry {
  /** tenants.updated_at (bumped by key rotation) and the keys cache version. */
  updatedAt: number;
  keys: number;
  built: Promise<TenantProvider>;
}

/**
 * Per-tenant providers, built lazily and kept in a bounded LRU cache. An entry is rebuilt when
 * the tenant's `updated_at` or its `keys` cache version (bumped by the database whenever a
 * signing key changes) is newer than the entry's, so every node rebuilds on its next request
 * for the tenant; nothing here is state another node cannot rebuild. Concurrent requests for a
 * tenant being built share the one build. Each `get` also brings the tenant's catalog up to the
 * cache versions read with the tenant (see catalog.ts).
 */
export class ProviderCache {
  readonly #deps: OAuthDeps;
  readonly #cache: LRUCache<string, Entry>;

  constructor(deps: OAuthDeps) {
    this.#deps = deps;
    this.#cache = new LRUCache({ max: deps.providerCacheSize, ttl: MAX_AGE_MS });
  }

  /**
   * The tenant's provider, current as of the cache versions read with `tenant` (lookupTenant
   * attaches them; for any other tenant object they are read here, one query).
   */
  async get(tenant: Tenant): Promise<TenantProvider> {
    const versions =
      versionsReadWith(tenant) ?? (await selectCacheVersions(this.#deps.db, tenant.id));
    const updatedAt = tenant.updatedAt.getTime();
    let entry = this.#cache.get(tenant.id);
    if (!entry || updatedAt > entry.updatedAt || versions.keys > entry.keys) {
      const built = this.#build(tenant, versions);
      const fresh: Entry = { updatedAt, keys: versions.keys, built };
      entry = fresh;
      this.#cache.set(tenant.id, fresh);
      built.catch(() => {
        if (this.#cache.get(tenant.id) === fresh) this.#cache.delete(tenant.id);
      });
    }
    const tenantProvider = await entry.built;
    tenantProvider.runtime.catalog.advance(versions);
    return tenantProvider;
  }

  async #build(tenant: Tenant, versions: CacheVersions): Promise<TenantProvider> {
    const { db, keyRing } = this.#deps;
    const cookieSecret = await tenantCookieSecret(db, keyRing, tenant.id);
    // A placeholder the client schema requires for secret-authenticated clients; never
    // compared (the hashed store is), and unguessable should that ever change.
    const placeholderKey = deriveKey(cookieSecret, "client-secret-placeholder");
    const catalog = new TenantCatalog(db, tenant.id, versions, (appId) =>
      deriveKey(placeholderKey, appId).toString("base64url"),
    );
    const runtime: TenantRuntime = { ...this.#deps, tenant, cookieSecret, catalog };
    const provider = await createTenantProvider(runtime);
    return { runtime, provider, handle: provider.callback() };
  }
}
