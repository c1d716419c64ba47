/**
 * Consent governance: the pure decision (policy.ts, request-decision.ts), permission grant
 * policies, user consent settings, permission classifications, delegated permission grants
 * (additive), the evaluation of an authorization request, tenant-wide admin consent, and a
 * user's "My apps". Every change writes its Entra-named audit event in the same transaction;
 * errors are ApiErrors (`grant.not_found`, `consent.not_authorized`, ...).
 */
export { type Acceptance, acceptConsent } from "./accept.ts";
export { type AccessCheck, checkDelegatedAccess } from "./access-check.ts";
export {
  type AdminConsentRequest,
  type AdminConsentResolution,
  grantAdminConsent,
  resolveAdminConsentRequest,
  ungrantable,
} from "./admin-consent.ts";
export {
  isConsentAdministrator,
  mayGrantForOrganization,
  type PermissionToGrant,
} from "./admin-consent-rules.ts";
export {
  CLASSIFICATIONS,
  classificationsFor,
  classifyPermission,
  isClassification,
  listClassifications,
} from "./classifications.ts";
export {
  type ConsentEvaluation,
  type ConsentRequest,
  evaluateConsent,
  type RequestedResource,
} from "./evaluate.ts";
export { mergeGrant, normaliseGroupIds, uniqueScopes } from "./grant-arithmetic.ts";
export {
  assignPermissionGrantPolicyToUsers,
  conditionSetSchema,
  createPermissionGrantPolicy,
  listPermissionGrantPolicies,
  type NewPermissionGrantPolicy,
  userConsentPolicies,
} from "./grant-policies.ts";
export {
  type ConsentType,
  type DelegatedPermissionGrant,
  type GrantChange,
  grantDelegatedPermissions,
  listDelegatedPermissionGrants,
  type NewDelegatedGrant,
  revokeDelegatedPermissionGrant,
} from "./grants.ts";
export { listMyApps, type MyApp, revokeMyApp } from "./my-apps.ts";
export {
  DEFAULT_LOW_IMPACT_SCOPES,
  type PermissionClassification,
  type UserConsentSetting,
} from "./permission-grant-policy.ts";
export {
  type ConsentDecision,
  type ConsentInput,
  type DelegatedGrant,
  type DirectoryRoleKey,
  decideConsent,
  mayGrantTenantWide,
} from "./policy.ts";
export { type ConsentToRecord, recordConsent } from "./record-consent.ts";
export {
  combineDecisions,
  missingPermissions,
  type RequestDecision,
  type ResourceCoverage,
} from "./request-decision.ts";
export {
  type ConsentSettings,
  DEFAULT_CONSENT_SETTINGS,
  getConsentSettings,
  isUserConsentSetting,
  USER_CONSENT_SETTINGS,
  updateConsentSettings,
} from "./settings.ts";
