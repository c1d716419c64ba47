/**
 * The directory of Assent Identity: tenants and their verified domains, users, groups and
 * directory roles. Changes go through `createDirectory` (which carries the tenant-creation
 * hooks); the read functions below take any Kysely handle, a transaction included.
 */
export {
  type AuthenticationFailure,
  type AuthenticationResult,
  authenticate,
} from "./authenticate.ts";
export { createDirectory, type Directory, type DirectoryOptions } from "./directory.ts";
// The admin API's directory operations (paged search, rename, delete).
export { deleteGroup, principalNames, searchGroups, updateGroup } from "./group-admin.ts";
export {
  getGroup,
  groupIdsOfUser,
  listGroupMembers,
  listGroups,
  type NewGroup,
  requireGroup,
} from "./groups.ts";
export {
  decodeNameCursor,
  encodeNameCursor,
  likePrefix,
  type NamePage,
  type NameQuery,
  toNamePage,
} from "./keyset.ts";
export {
  isDomainName,
  isUuid,
  normaliseDomain,
  normaliseUserPrincipalName,
  parseUserPrincipalName,
} from "./names.ts";
export { listRoleAssignments, rolesOfUser } from "./role-assignments.ts";
export {
  DIRECTORY_ROLES,
  type DirectoryRole,
  type DirectoryRoleDefinition,
  directoryRoleName,
  isDirectoryRole,
  parseDirectoryRole,
} from "./roles.ts";
export { getTenant, listDomains, listTenants, requireTenant, resolveTenant } from "./tenants.ts";
export type {
  DirectoryRoleAssignment,
  Group,
  GroupMember,
  Tenant,
  TenantCreatedHook,
  TenantDomain,
  User,
} from "./types.ts";
export { deleteUser, searchUsers, updateUser } from "./user-admin.ts";
export { findUserByUpn, getUser, listUsers, type NewUser, requireUser } from "./users.ts";
