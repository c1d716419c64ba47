import type { Kysely } from "kysely";
import {
  type ResolvedResource,
  resolveAppOnlyScope,
  resolveScopes,
  type ScopeResolution,
} from "../apps/index.ts";
import type { IdentityDB } from "../db.ts";
import { entraError } from "./errors/entra-error.ts";

/**
 * A request's scopes in the form oidc-provider works with: OIDC scopes plus the bare
 * permission values of at most one resource, whose Application ID URI becomes the RFC 8707
 * resource indicator (and the access token's `aud`).
 */
export interface NormalisedScopes {
  /** Space-separated: OIDC scopes, then the resource's bare permission values. */
  scope: string;
  oidcScopes: string[];
  resourceScopes: string[];
  /** Undefined when only OIDC scopes were asked for: the access token is for userinfo. */
  resource: ResolvedResource | undefined;
}

/**
 * A scope resolution as oidc-provider works with it, or the Entra-coded OAuth error it stands
 * for (500011 unknown resource, 28000 several resources, 650053/70011 unknown or invalid
 * scope, 1002012 client credentials without "/.default"). The result is a new object; the
 * resolution (possibly cached and frozen) is not changed.
 */
export function acceptScopes(resolution: ScopeResolution): NormalisedScopes {
  if (!resolution.ok) throw entraError(resolution.entraCode, resolution.message);
  const { oidcScopes, resourceScopes, isDefault } = resolution;
  const hasResource = resourceScopes.length > 0 || isDefault;
  return {
    scope: [...oidcScopes, ...resourceScopes].join(" "),
    oidcScopes,
    resourceScopes,
    resource: hasResource ? resolution.resource : undefined,
  };
}

/**
 * Normalises an Entra-style delegated `scope` (`api://assent-mail/Mail.Read`, bare `Mail.Read`
 * meaning Assent Mail, `{resource}/.default`, OIDC scopes). Throws the Entra-coded OAuth error
 * (500011 unknown resource, 28000 several resources, 650053/70011 unknown or invalid scope).
 *
 * @example
 * await normaliseDelegatedScopes(db, tenant.id, app.id, "openid api://assent-mail/Mail.Read");
 * // { scope: "openid Mail.Read", resource: { identifierUri: "api://assent-mail", … }, … }
 */
export async function normaliseDelegatedScopes(
  db: Kysely<IdentityDB>,
  tenantId: string,
  clientApplicationId: string,
  scope: string,
): Promise<NormalisedScopes> {
  return acceptScopes(
    await resolveScopes(db, { clientApplicationId, requested: scope.split(" "), tenantId }),
  );
}

/** Normalises a client credentials `scope`: exactly one `{resource}/.default` (Entra 1002012). */
export async function normaliseAppOnlyScope(
  db: Kysely<IdentityDB>,
  tenantId: string,
  scope: string,
): Promise<NormalisedScopes> {
  return acceptScopes(await resolveAppOnlyScope(db, scope.split(" "), { tenantId }));
}
