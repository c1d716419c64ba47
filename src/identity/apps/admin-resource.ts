/**
 * Assent Admin API: the built-in resource that guards Identity's admin REST API
 * (`/api/v1/...`), as Microsoft Graph guards Entra's. Migrations 0007 and 0013 create it in the system
 * tenant with these fixed ids, so automation may hard-code the app id and grants of its
 * permissions stay valid across installations.
 */
export const ADMIN_RESOURCE = {
  appId: "00000003-0000-0000-c000-0000000ad000",
  identifierUri: "api://assent-admin",
} as const satisfies { appId: string; identifierUri: "api://assent-admin" };

/** Object id (applications.id) of Assent Admin API. */
export const ADMIN_APPLICATION_ID = "3d8ec3de-42e3-42b4-a63d-04d0f7da1081";

/**
 * The Admin API's permissions. Each value exists twice, as in Graph: a delegated permission
 * (scope, admin consent required) that acts as the signed-in administrator within their
 * directory roles, and an application permission (app role) for automation without a user.
 */
export const ADMIN_PERMISSIONS = [
  "AuditLog.Read.All",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
  "Application.ReadWrite.All",
  "ConsentRequest.ReadWrite.All",
  "Policy.ReadWrite.PermissionGrant",
  // Migration 0013.
  "RoleManagement.ReadWrite.Directory",
  "AppRoleAssignment.ReadWrite.All",
  "DelegatedPermissionGrant.ReadWrite.All",
  "Policy.Read.All",
  "Policy.ReadWrite.Authorization",
] as const;
export type AdminPermission = (typeof ADMIN_PERMISSIONS)[number];

/** Ids of the Admin API's delegated permissions (all `admin_consent_required`). */
export const ADMIN_SCOPE_IDS: Record<AdminPermission, string> = {
  "AuditLog.Read.All": "5deb7268-3b7c-4152-bd3a-797b954a50a8",
  "Directory.Read.All": "c5db71ec-9d73-4d1e-9366-9867f49594c9",
  "Directory.ReadWrite.All": "fb74a3c2-acc2-4f19-825d-ceb9127d905b",
  "Application.ReadWrite.All": "076f422e-8251-4f0c-ba8f-b0b9d227dc68",
  "ConsentRequest.ReadWrite.All": "59d9a7d8-0567-45da-bd0d-abc771d4c35f",
  "Policy.ReadWrite.PermissionGrant": "a1c90c54-2ea5-4ab6-831e-f8353b07dcbc",
  "RoleManagement.ReadWrite.Directory": "3208ca23-26bb-44f3-9f2d-06a003014051",
  "AppRoleAssignment.ReadWrite.All": "b23b6944-d750-4810-9179-bbc1857f08a6",
  "DelegatedPermissionGrant.ReadWrite.All": "61d55380-f314-46a4-bbd0-4f3d30d3ac1f",
  "Policy.Read.All": "aa157fc6-4500-4b35-ab7d-45dd4407cbdc",
  "Policy.ReadWrite.Authorization": "7590f3d2-d306-4fe5-9e2a-e1d603141e87",
};

/** Ids of the Admin API's application permissions (app roles, member type Application). */
export const ADMIN_ROLE_IDS: Record<AdminPermission, string> = {
  "AuditLog.Read.All": "3a42d8ae-4453-412f-9bcc-65ff9384a576",
  "Directory.Read.All": "507533bb-7be0-4bd9-b926-61cdd979298f",
  "Directory.ReadWrite.All": "5e9e4ec8-d577-47cb-a25d-b909bb4e7a56",
  "Application.ReadWrite.All": "732215fb-e16f-47a4-b2ca-09fed133bb98",
  "ConsentRequest.ReadWrite.All": "f576bafd-07b5-4611-b50d-6c56eedb9a3e",
  "Policy.ReadWrite.PermissionGrant": "c744d996-d6d4-40cf-a0f8-7b702724d1fb",
  "RoleManagement.ReadWrite.Directory": "3a4e9433-d83e-463a-b208-d6080b3012c7",
  "AppRoleAssignment.ReadWrite.All": "0eeaee42-c06a-4f25-ba34-982d93ddab71",
  "DelegatedPermissionGrant.ReadWrite.All": "a4ca4e0e-6970-445d-a1b9-401c0c6c6e53",
  "Policy.Read.All": "c7f2400a-b517-4038-a2f4-d46ed52e87d0",
  "Policy.ReadWrite.Authorization": "21210bb6-f0f3-4dee-9aad-6d174df722a6",
};

export function isAdminPermission(value: string): value is AdminPermission {
  return (ADMIN_PERMISSIONS as readonly string[]).includes(value);
}
