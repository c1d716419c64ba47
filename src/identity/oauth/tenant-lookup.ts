import type { Kysely } from "kysely";
import type { IdentityDB } from "../db.ts";
import { isDomainName, isUuid, type Tenant } from "../directory/index.ts";
import { selectTenantWithVersions } from "./provider/cache-versions.ts";
import { Coalescer } from "./provider/coalesce.ts";

// Per database handle: concurrent requests naming the same tenant share one read (coalesce.ts).
const reads = new WeakMap<Kysely<IdentityDB>, Coalescer<Tenant | undefined>>();

/**
 * The enabled tenant a URL's `{tenant}` segment names (id, slug or verified domain), as Entra
 * accepts all three; a disabled tenant is as unknown as a missing one (AADSTS90002). Resolved
 * as `resolveTenant` does (slugs have no dots, domains always do), in ONE query that also reads
 * the tenant's cache versions, which ProviderCache.get checks its caches against: this is the
 * only database round trip a protocol request needs before oidc-provider's own. Concurrent
 * requests for the same tenant share it, never a read that started before they arrived. The
 * tenant object may be shared: treat it as read-only.
 */
export async function lookupTenant(
  db: Kysely<IdentityDB>,
  ref: string,
): Promise<Tenant | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(ref);
  } catch {
    return undefined;
  }
  if (decoded.length === 0 || decoded.length > 255) return undefined;
  const value = decoded.trim().toLowerCase();
  let by: { id: string } | { slug: string } | { domain: string };
  let key: string;
  if (isUuid(value)) {
    by = { id: value };
    key = `id:${value}`;
  } else if (!value.includes(".")) {
    by = { slug: value };
    key = `slug:${value}`;
  } else if (isDomainName(value)) {
    by = { domain: value };
    key = `domain:${value}`;
  } else return undefined;
  let coalescer = reads.get(db);
  if (!coalescer) {
    coalescer = new Coalescer();
    reads.set(db, coalescer);
  }
  const tenant = await coalescer.run(key, () => selectTenantWithVersions(db, by));
  return tenant?.enabled ? tenant : undefined;
}
