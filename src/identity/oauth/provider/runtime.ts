import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { KeyRing } from "../../../platform/crypto/index.ts";
import type { SignInRecorder } from "../../activity/index.ts";
import type { IdentityDB } from "../../db.ts";
import type { Tenant } from "../../directory/index.ts";
import type { TenantCatalog } from "./catalog.ts";

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
  /** Where sign-in events go (the sign-in log); buffered, never blocks a request. */
  signIns: SignInRecorder;
  /** Admin consent requests one user may submit per 15 minutes (`config.consentRequestsPerUser`). */
  consentRequestsPerUser?: number;
}

/** Everything one tenant's provider is built from. */
export interface TenantRuntime extends OAuthDeps {
  tenant: Tenant;
  /** Per-tenant secret (32 bytes) shared by every node: cookie signing, CSRF tokens. */
  cookieSecret: Buffer;
  /**
   * The tenant's app registrations and enterprise apps as this node caches them, checked
   * against the database's cache versions on every request (see catalog.ts).
   */
  catalog: TenantCatalog;
}

/** The issuer of a tenant, as Entra's: the canonical tenant id, never the slug or a domain. */
export function issuerOf(publicUrl: string, tenantId: string): string {
  return `${publicUrl}/${tenantId}/v2.0`;
}

// The path of each public URL, parsed once: mountPathOf runs on every protocol request.
const basePaths = new Map<string, string>();

/** The externally visible path prefix of a tenant's endpoints (`/{tenantId}`). */
export function mountPathOf(publicUrl: string, tenantId: string): string {
  let base = basePaths.get(publicUrl);
  if (base === undefined) {
    base = new URL(publicUrl).pathname.replace(/\/+$/, "");
    basePaths.set(publicUrl, base);
  }
  return `${base}/${tenantId}`;
}
