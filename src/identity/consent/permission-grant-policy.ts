/**
 * Permission grant policies (Entra's "app consent policies"): which permissions a user may grant
 * by themselves. A permission passes a policy when it matches at least one include condition set
 * and no exclude condition set; each policy is evaluated on its own and one passing policy is
 * enough (Entra: manage-app-consent-policies). All conditions of a set must match.
 */

export type PermissionClassification = "low" | "medium" | "high";

export interface ConditionSet {
  /** `delegatedUserConsentable` = a delegated scope that does not require admin consent. */
  permissionType: "delegated" | "delegatedUserConsentable" | "application";
  permissionClassification: "all" | PermissionClassification;
  /** Permission ids (or scope values), or "all". */
  permissions: "all" | readonly string[];
  /** The resource's appId, or "any". */
  resourceApplication: "any" | string;
  clientApplicationIds: "all" | readonly string[];
  /** Tenant ids of client publishers, or "all". */
  clientApplicationTenantIds: "all" | readonly string[];
  clientApplicationsFromVerifiedPublisherOnly: boolean;
}

export interface PermissionGrantPolicy {
  id: string;
  displayName: string;
  includes: readonly ConditionSet[];
  excludes: readonly ConditionSet[];
}

/** What a policy looks at about one permission in a consent request. */
export interface PermissionUnderEvaluation {
  permissionId: string;
  value: string;
  type: "delegated" | "application";
  adminConsentRequired: boolean;
  /** Unclassified permissions are not "low". */
  classification: PermissionClassification | undefined;
  resourceAppId: string;
  client: { appId: string; publisherTenantId: string; publisherVerified: boolean };
}

export const ANY_CONDITION: ConditionSet = {
  permissionType: "delegated",
  permissionClassification: "all",
  permissions: "all",
  resourceApplication: "any",
  clientApplicationIds: "all",
  clientApplicationTenantIds: "all",
  clientApplicationsFromVerifiedPublisherOnly: false,
};

function listMatches(list: "all" | readonly string[], value: string): boolean {
  return list === "all" || list.includes(value);
}

export function conditionMatches(set: ConditionSet, p: PermissionUnderEvaluation): boolean {
  const typeOk =
    set.permissionType === "application"
      ? p.type === "application"
      : set.permissionType === "delegated"
        ? p.type === "delegated"
        : p.type === "delegated" && !p.adminConsentRequired;
  return (
    typeOk &&
    (set.permissionClassification === "all" || set.permissionClassification === p.classification) &&
    (set.permissions === "all" ||
      set.permissions.includes(p.permissionId) ||
      set.permissions.includes(p.value)) &&
    (set.resourceApplication === "any" || set.resourceApplication === p.resourceAppId) &&
    listMatches(set.clientApplicationIds, p.client.appId) &&
    listMatches(set.clientApplicationTenantIds, p.client.publisherTenantId) &&
    (!set.clientApplicationsFromVerifiedPublisherOnly || p.client.publisherVerified)
  );
}

export function policyAllows(policy: PermissionGrantPolicy, p: PermissionUnderEvaluation): boolean {
  return (
    policy.includes.some((s) => conditionMatches(s, p)) &&
    !policy.excludes.some((s) => conditionMatches(s, p))
  );
}

/** True when at least one of the policies allows the permission. */
export function anyPolicyAllows(
  policies: readonly PermissionGrantPolicy[],
  p: PermissionUnderEvaluation,
): boolean {
  return policies.some((policy) => policyAllows(policy, p));
}

/**
 * The built-in policies behind the three user-consent settings. They are instantiated per tenant
 * because "apps registered in this organization" names the tenant.
 */
export function builtInPolicies(tenantId: string) {
  const low: PermissionGrantPolicy = {
    id: "assent-user-default-low",
    displayName: "Low-impact permissions for apps from verified publishers or this organization",
    includes: [
      {
        ...ANY_CONDITION,
        permissionType: "delegatedUserConsentable",
        permissionClassification: "low",
        clientApplicationsFromVerifiedPublisherOnly: true,
      },
      {
        ...ANY_CONDITION,
        permissionType: "delegatedUserConsentable",
        permissionClassification: "low",
        clientApplicationTenantIds: [tenantId],
      },
    ],
    excludes: [],
  };
  const legacy: PermissionGrantPolicy = {
    id: "assent-user-default-legacy",
    displayName: "Any permission that does not require admin consent, for any app",
    includes: [{ ...ANY_CONDITION, permissionType: "delegatedUserConsentable" }],
    excludes: [],
  };
  return { low, legacy } as const;
}

/** The three Entra user-consent options. */
export type UserConsentSetting = "disabled" | "verified_publishers_low_impact" | "all_apps";

/** The policies a setting assigns to users ("Do not allow" assigns none). */
export function policiesForSetting(
  setting: UserConsentSetting,
  tenantId: string,
): PermissionGrantPolicy[] {
  const { low, legacy } = builtInPolicies(tenantId);
  if (setting === "disabled") return [];
  return setting === "all_apps" ? [legacy] : [low];
}

/** Classified "low" unless a tenant says otherwise: the minimum sign-in set. */
export const DEFAULT_LOW_IMPACT_SCOPES = [
  "openid",
  "profile",
  "email",
  "offline_access",
  "User.Read",
] as const;
