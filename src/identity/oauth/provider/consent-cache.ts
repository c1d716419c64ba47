import type { evaluateConsent } from "../../consent/index.ts";
import type { TenantCatalog } from "./catalog.ts";

/** The consent module's input cache (`ConsentInputCache` in consent/evaluate.ts). */
export type ConsentInputCache = NonNullable<Parameters<typeof evaluateConsent>[3]>;

/**
 * The consent decision's inputs (evaluateConsent at /authorize, checkDelegatedAccess at the
 * token endpoint) served from the tenant's catalog, each kind in the snapshot whose cache
 * version its tables bump (migrations 0006 and 0010):
 *
 * - `membership` (group memberships, directory roles): the users snapshot;
 * - `grants` (delegated permission grants): the grants snapshot;
 * - `assignment` (app role assignments, directly or through a group): the apps snapshot, keyed
 *   by the users version as well, since a group membership change also changes it;
 * - the rest (service principals, resources and their scopes, consent settings, permission
 *   grant policies, classifications): the apps snapshot.
 *
 * The snapshots are taken when the cache is made, after the request's versions were read
 * (ProviderCache.get): as new as the request, so a change committed before it is seen.
 *
 * @example
 * await evaluateConsent(rt.db, request, new Date(), consentInputCache(rt.catalog));
 */
export function consentInputCache(catalog: TenantCatalog): ConsentInputCache {
  const { apps, users, grants } = catalog;
  return (kind, key, load) => {
    switch (kind) {
      case "membership":
        return users.inputs.get(kind, key, load);
      case "grants":
        return grants.inputs.get(kind, key, load);
      case "assignment":
        return apps.inputs.get(kind, `${users.version} ${key}`, load);
      default:
        return apps.inputs.get(kind, key, load);
    }
  };
}
