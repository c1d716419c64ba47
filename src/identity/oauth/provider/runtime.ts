import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { KeyRing } from "../../../platform/crypto/index.ts";
import type { IdentityDB } from "../../db.ts";
import type { Tenant } from "../../directory/index.ts";

/** What the OAuth module needs from the composition root. */
export interface OAuthDeps {
  db: Kysely<IdentityDB>;
  keyRing: KeyRing;
  /** `config.identity.publicUrl`: issuers are `${publicUrl}/${tenantId}/v2.0`. */
  publicUrl: string;
  logger: Logger;
  trustProxy: boolean;
  /** How many tenants' providers one node keeps built (`config.providerCacheSize`). */
  providerCacheSize: number;
}

/** Everything one tenant's provider is built from. */
export interface TenantRuntime extends OAuthDeps {
  tenant: Tenant;
  /** Per-tenant secret (32 bytes) shared by every node: cookie signing, CSRF tokens. */
  cookieSecret: Buffer;
}

/** The issuer of a tenant, as Entra's: the canonical tenant id, never the slug or a domain. */
export function issuerOf(publicUrl: string, tenantId: string): string {
  return `${publicUrl}/${tenantId}/v2.0`;
}

/** The externally visible path prefix of a tenant's endpoints (`/{tenantId}`). */
export function mountPathOf(publicUrl: string, tenantId: string): string {
  return `${new URL(publicUrl).pathname.replace(/\/+$/, "")}/${tenantId}`;
}
