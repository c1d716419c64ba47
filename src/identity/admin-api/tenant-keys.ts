import { createLocalJWKSet, type JWK, type JWTVerifyGetKey } from "jose";
import type { Kysely } from "kysely";
import { LRUCache } from "lru-cache";
import type { KeyRing } from "../../platform/crypto/index.ts";
import type { IdentityDB } from "../db.ts";
import type { Tenant } from "../directory/index.ts";
import { loadSigningJwks } from "../keys/index.ts";

// Members of a private JWK (RFC 7518 §6.2.2, §6.3.2, §6.4.1): never handed to the verifier.
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const;
// Ten minutes, as the provider cache: a retired key whose publication window ends stops
// verifying within this time even though nothing bumps the tenant.
const MAX_AGE_MS = 10 * 60 * 1000;

function publicPart(jwk: JWK): JWK {
  const copy: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_MEMBERS) delete copy[member];
  return copy as JWK;
}

/**
 * The public signing keys of each tenant, as jose key sets, verified in-process (no HTTP round
 * trip to our own JWKS endpoint). An entry is keyed by the tenant's `updated_at`, which key
 * rotation bumps, so a rotation applies on the next request on every node.
 */
export class TenantKeyCache {
  readonly #cache: LRUCache<string, { version: number; keys: Promise<JWTVerifyGetKey> }>;

  constructor(
    private readonly db: Kysely<IdentityDB>,
    private readonly keyRing: KeyRing,
    maxTenants = 1000,
  ) {
    this.#cache = new LRUCache({ max: maxTenants, ttl: MAX_AGE_MS });
  }

  get(tenant: Tenant): Promise<JWTVerifyGetKey> {
    const version = tenant.updatedAt.getTime();
    const hit = this.#cache.get(tenant.id);
    if (hit && hit.version === version) return hit.keys;
    const keys = loadSigningJwks(this.db, this.keyRing, tenant.id).then((jwks) =>
      createLocalJWKSet({ keys: jwks.keys.map(publicPart) }),
    );
    const entry = { version, keys };
    this.#cache.set(tenant.id, entry);
    keys.catch(() => {
      if (this.#cache.get(tenant.id) === entry) this.#cache.delete(tenant.id);
    });
    return keys;
  }
}
