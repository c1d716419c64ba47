import { withFirstPartyGrants } from "./first-party.ts";
import {
  anyPolicyAllows,
  type PermissionClassification,
  type PermissionGrantPolicy,
  type PermissionUnderEvaluation,
} from "./permission-grant-policy.ts";

/**
 * The consent decision: one pure function, no I/O. Given the tenant's settings, the service
 * principal, the user, the scopes requested and the grants that exist, it returns the one
 * decision of the table in docs/ARCHITECTURE.md ("The decision at the heart"); the first
 * matching row wins. Everything else loads these inputs and acts on the output.
 */

export type DirectoryRoleKey =
  | "global_administrator"
  | "privileged_role_administrator"
  | "cloud_application_administrator"
  | "application_administrator"
  | "global_reader"
  | "reports_reader";

/** Roles that may grant delegated permissions tenant-wide (Entra: admin consent). */
export const DELEGATED_ADMIN_CONSENT_ROLES: readonly DirectoryRoleKey[] = [
  "global_administrator",
  "privileged_role_administrator",
  "cloud_application_administrator",
  "application_administrator",
];

export interface ScopeDefinition {
  id: string;
  value: string;
  adminConsentRequired: boolean;
}

/**
 * A delegated permission grant. `AllPrincipals` is tenant-wide, `Principal` is one user, and
 * `Groups` (an Assent extension) covers the members of the listed groups. `expiresAt` (also an
 * extension) ends a grant; null means it does not expire.
 */
export interface DelegatedGrant {
  consentType: "AllPrincipals" | "Principal" | "Groups";
  principalId: string | null;
  groupIds: readonly string[];
  resourceAppId: string;
  scopes: readonly string[];
  expiresAt: Date | null;
}

export interface ConsentInput {
  now: Date;
  tenant: {
    id: string;
    /** Policies assigned to users by the user-consent setting (empty = user consent off). */
    userConsentPolicies: readonly PermissionGrantPolicy[];
    adminConsentWorkflowEnabled: boolean;
    /** Classification per scope value of the requested resource. */
    classifications: Readonly<Record<string, PermissionClassification>>;
  };
  client: {
    appId: string;
    publisherTenantId: string;
    publisherVerified: boolean;
    multiTenant: boolean;
  };
  servicePrincipal: {
    accountEnabled: boolean;
    blocked: boolean;
    appRoleAssignmentRequired: boolean;
  };
  user: {
    id: string;
    roles: readonly DirectoryRoleKey[];
    groupIds: readonly string[];
    /** Assigned to the app directly or through one of their groups. */
    assigned: boolean;
  };
  resource: { appId: string; scopes: readonly ScopeDefinition[] };
  /** Scope values on the resource (OIDC scopes included), already validated to exist. */
  requestedScopes: readonly string[];
  /** Grants of this client on this resource in this tenant. */
  grants: readonly DelegatedGrant[];
}

export type ConsentDecision =
  | { kind: "app_disabled"; reason: "disabled" | "blocked" }
  | { kind: "not_assigned" }
  | { kind: "granted"; scopes: string[] }
  | {
      kind: "user_consent";
      granted: string[];
      missing: string[];
      /** The user may also tick "Consent on behalf of your organization". */
      canConsentForOrganization: boolean;
    }
  | { kind: "admin_consent"; granted: string[]; missing: string[] }
  | { kind: "approval_required"; granted: string[]; missing: string[]; riskyApp: boolean }
  | { kind: "admin_approval_needed"; granted: string[]; missing: string[]; riskyApp: boolean };

/** True when the grant is in force for this user at `now`. */
export function grantApplies(
  grant: DelegatedGrant,
  user: ConsentInput["user"],
  now: Date,
): boolean {
  if (grant.expiresAt !== null && grant.expiresAt.getTime() <= now.getTime()) return false;
  switch (grant.consentType) {
    case "AllPrincipals":
      return true;
    case "Principal":
      return grant.principalId === user.id;
    case "Groups":
      return grant.groupIds.some((g) => user.groupIds.includes(g));
  }
}

/** The requested scopes covered by grants in force, and the rest. */
export function coverage(
  input: Pick<ConsentInput, "grants" | "user" | "now" | "requestedScopes" | "resource">,
) {
  const covered = new Set<string>();
  for (const grant of input.grants) {
    if (grant.resourceAppId !== input.resource.appId || !grantApplies(grant, input.user, input.now))
      continue;
    for (const scope of grant.scopes) covered.add(scope);
  }
  const requested = [...new Set(input.requestedScopes)];
  return {
    granted: requested.filter((s) => covered.has(s)),
    missing: requested.filter((s) => !covered.has(s)),
  };
}

/**
 * Risky-app step-up: an unverified publisher's multi-tenant app from another organization asking
 * for anything beyond low-impact scopes never gets user consent (Entra: risk-based step-up).
 */
export function isRiskyRequest(input: ConsentInput, missing: readonly string[]): boolean {
  const foreign = input.client.publisherTenantId !== input.tenant.id;
  if (!input.client.multiTenant || input.client.publisherVerified || !foreign) return false;
  return missing.some((s) => input.tenant.classifications[s] !== "low");
}

function userMayConsent(input: ConsentInput, missing: readonly string[]): boolean {
  // With assignment required, an admin must consent even where policy would let users (Entra).
  if (input.servicePrincipal.appRoleAssignmentRequired) return false;
  if (input.tenant.userConsentPolicies.length === 0) return false;
  return missing.every((value) => {
    const scope = input.resource.scopes.find((s) => s.value === value);
    if (!scope) return false;
    const permission: PermissionUnderEvaluation = {
      permissionId: scope.id,
      value,
      type: "delegated",
      adminConsentRequired: scope.adminConsentRequired,
      classification: input.tenant.classifications[value],
      resourceAppId: input.resource.appId,
      client: input.client,
    };
    return anyPolicyAllows(input.tenant.userConsentPolicies, permission);
  });
}

export function mayGrantTenantWide(roles: readonly DirectoryRoleKey[]): boolean {
  return roles.some((r) => DELEGATED_ADMIN_CONSENT_ROLES.includes(r));
}

/**
 * @example
 * const decision = decideConsent(input);
 * if (decision.kind === "granted") issueCode(decision.scopes);
 */
export function decideConsent(input: ConsentInput): ConsentDecision {
  const sp = input.servicePrincipal;
  if (sp.blocked) return { kind: "app_disabled", reason: "blocked" };
  if (!sp.accountEnabled) return { kind: "app_disabled", reason: "disabled" };
  const globalAdmin = input.user.roles.includes("global_administrator");
  if (sp.appRoleAssignmentRequired && !input.user.assigned && !globalAdmin)
    return { kind: "not_assigned" };

  const { granted, missing } = coverage(withFirstPartyGrants(input));
  if (missing.length === 0) return { kind: "granted", scopes: granted };

  const admin = mayGrantTenantWide(input.user.roles);
  const risky = isRiskyRequest(input, missing);
  if (!risky && userMayConsent(input, missing)) {
    return { kind: "user_consent", granted, missing, canConsentForOrganization: admin };
  }
  if (admin) return { kind: "admin_consent", granted, missing };
  if (input.tenant.adminConsentWorkflowEnabled) {
    return { kind: "approval_required", granted, missing, riskyApp: risky };
  }
  return { kind: "admin_approval_needed", granted, missing, riskyApp: risky };
}
