/**
 * App registrations, their secrets, exposed permissions and app roles, service principals
 * (enterprise apps), assignments, and the resolution of a request's `scope` to one resource.
 * Every function takes a Kysely handle, which may be a transaction; changes write their Entra-
 * named audit event in the same transaction. Errors are ApiErrors (`application.not_found`,
 * `application.invalid_redirect_uri`, `application.duplicate_scope`, …).
 */
export {
  ADMIN_APPLICATION_ID,
  ADMIN_PERMISSIONS,
  ADMIN_RESOURCE,
  ADMIN_ROLE_IDS,
  ADMIN_SCOPE_IDS,
  type AdminPermission,
  isAdminPermission,
} from "./admin-resource.ts";
// The admin API's changes to registrations and enterprise apps (updates and removals).
export {
  type ApplicationPatch,
  removeClientSecret,
  removeRedirectUri,
  requireOwnApplication,
  updateApplication,
} from "./application-admin.ts";
export {
  addRedirectUri,
  createApplication,
  findApplicationByAppId,
  findApplicationById,
  findApplicationsByIds,
  listApplications,
  type NewApplication,
  setPublisherDisplayName,
  verifyPublisher,
} from "./applications.ts";
export {
  assignAppRole,
  grantedAppRoleValues,
  isUserAssigned,
  listAppRoleAssignments,
  type NewAppRoleAssignment,
} from "./assignments.ts";
export {
  addClientSecret,
  checkClientSecret,
  clientSecretHashes,
  DEFAULT_SECRET_LIFETIME_DAYS,
  listClientSecrets,
  MAX_SECRET_LIFETIME_DAYS,
  matchClientSecret,
  type StoredSecretHash,
} from "./client-secrets.ts";
export {
  isOidcScope,
  MAIL_APPLICATION_ID,
  MAIL_RESOURCE,
  MAIL_ROLE_IDS,
  MAIL_SCOPE_IDS,
  NIL_ROLE_ID,
  OIDC_SCOPES,
  type OidcScope,
  SYSTEM_TENANT_ID,
  SYSTEM_TENANT_SLUG,
} from "./mail-resource.ts";
export {
  removeAppRole,
  removeExposedScope,
  removeRequiredPermission,
  setAppRoleEnabled,
  setExposedScopeEnabled,
} from "./permission-admin.ts";
export {
  type AppRolePatch,
  appRoleView,
  type ExposedScopePatch,
  permissionScopeView,
  updateAppRole,
  updateExposedScope,
} from "./permission-edit.ts";
export {
  exposeAppRole,
  exposeScope,
  listAppRoles,
  listExposedScopes,
  listRequiredPermissions,
  type NewAppRole,
  type NewScope,
  type RequiredPermissionRow,
  requirePermission,
} from "./permissions.ts";
export { MAX_REDIRECT_URI_LENGTH, MAX_REDIRECT_URIS, redirectUriProblem } from "./redirect-uri.ts";
export { findResourceApplication, resourceIdentifierUri } from "./resource-ref.ts";
export {
  type ResolvedResource,
  resolveAppOnlyScope,
  resolveScopes,
  type ScopeResolution,
  type ScopeResolutionError,
} from "./scope-resolution.ts";
export {
  type AppRoleAssignedTo,
  type HeldAppRoleAssignment,
  listAppRoleAssignedTo,
  listAppRoleAssignmentsHeld,
  removeAppRoleAssignment,
  requireServicePrincipal,
  type ServicePrincipalFilter,
  searchServicePrincipals,
} from "./service-principal-admin.ts";
export {
  ensureServicePrincipal,
  findServicePrincipal,
  IDENTITY_SYSTEM_ACTOR,
  listServicePrincipals,
  type ServicePrincipalPatch,
  updateServicePrincipal,
} from "./service-principals.ts";
export type {
  AddedClientSecret,
  Application,
  AppRole,
  AppRoleAssignment,
  AppRoleMemberType,
  ClientSecretInfo,
  ExposedScope,
  PrincipalType,
  RequiredPermission,
  ServicePrincipal,
  ServicePrincipalListing,
  SignInAudience,
} from "./types.ts";
