/**
 * Grant arithmetic, pure. Granting is additive: a new consent adds its scopes to the grant that
 * exists for the same client, resource and principal, and never drops what was granted before
 * (Entra's known trap: tenant-wide consent "may revoke permissions that have already been
 * granted tenant-wide"). Expiry (an Assent extension) only ever moves later on a merge, for the
 * same reason; an expired grant is gone, so granting again starts it afresh.
 */

export interface GrantTerms {
  scopes: readonly string[];
  /** null: does not expire. */
  expiresAt: Date | null;
}

/** Scope values without duplicates, in first-seen order. */
export function uniqueScopes(scopes: Iterable<string>): string[] {
  return [...new Set([...scopes].filter((s) => s.length > 0))];
}

export function isExpired(terms: Pick<GrantTerms, "expiresAt">, now: Date): boolean {
  return terms.expiresAt !== null && terms.expiresAt.getTime() <= now.getTime();
}

/**
 * The terms of a grant after `added` is granted on top of `existing` (undefined: no grant yet).
 *
 * @example
 * mergeGrant({ scopes: ["openid"], expiresAt: null }, { scopes: ["Mail.Read"], expiresAt: null }, now);
 * // { scopes: ["openid", "Mail.Read"], expiresAt: null }
 */
export function mergeGrant(
  existing: GrantTerms | undefined,
  added: GrantTerms,
  now: Date,
): { scopes: string[]; expiresAt: Date | null } {
  if (!existing || isExpired(existing, now))
    return { scopes: uniqueScopes(added.scopes), expiresAt: added.expiresAt };
  const expiresAt =
    existing.expiresAt === null || added.expiresAt === null
      ? null
      : new Date(Math.max(existing.expiresAt.getTime(), added.expiresAt.getTime()));
  return { scopes: uniqueScopes([...existing.scopes, ...added.scopes]), expiresAt };
}

/** The scopes left after removing some (removing every scope deletes the grant). */
export function withoutScopes(scopes: readonly string[], removed: readonly string[]): string[] {
  const gone = new Set(removed);
  return scopes.filter((s) => !gone.has(s));
}

/** Group ids as stored: lower-case, unique, sorted, so one set of groups is one grant. */
export function normaliseGroupIds(ids: readonly string[]): string[] {
  return [...new Set(ids.map((id) => id.toLowerCase()))].sort();
}
