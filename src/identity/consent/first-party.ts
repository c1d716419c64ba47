import { ADMIN_PERMISSIONS, ADMIN_RESOURCE } from "../apps/admin-resource.ts";
import { MAIL_RESOURCE, OIDC_SCOPES, SYSTEM_TENANT_ID } from "../apps/mail-resource.ts";
import { PORTAL_APP } from "../portal/portal-app.ts";
import type { ConsentInput, DelegatedGrant } from "./policy.ts";

/**
 * Pre-authorized first-party access: the built-in Assent Portal (system tenant, migration 0014)
 * needs no consent in any tenant for sign-in (the OIDC scopes) and the delegated permissions of
 * Assent Admin API, as Microsoft's portals need none for Graph. It is a grant the decision
 * assumes, never one stored, so no tenant can revoke or widen it, and it covers nothing else
 * (no other resource, no other app, not an app that copies the portal's name).
 *
 * It is safe for every user of the tenant: an admin API token does nothing by itself. Each
 * delegated call also needs a directory role the user holds at the time of the call, or for
 * consent requests being a reviewer (src/identity/admin-api/authorize.ts). The portal's
 * enterprise app still obeys its switches: disabled, blocked and assignment required apply
 * as for any app, because they are checked before grants.
 */
const PREAUTHORIZED: Readonly<Record<string, readonly string[]>> = {
  [MAIL_RESOURCE.appId]: OIDC_SCOPES,
  [ADMIN_RESOURCE.appId]: ADMIN_PERMISSIONS,
};

/** The input's grants plus the first-party grant that applies to it, if any. */
export function withFirstPartyGrants(input: ConsentInput): ConsentInput {
  const isPortal =
    input.client.appId === PORTAL_APP.appId && input.client.publisherTenantId === SYSTEM_TENANT_ID;
  const scopes = isPortal ? PREAUTHORIZED[input.resource.appId] : undefined;
  if (!scopes) return input;
  const grant: DelegatedGrant = {
    consentType: "AllPrincipals",
    principalId: null,
    groupIds: [],
    resourceAppId: input.resource.appId,
    scopes,
    expiresAt: null,
  };
  return { ...input, grants: [...input.grants, grant] };
}
