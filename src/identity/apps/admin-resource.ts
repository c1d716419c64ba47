/**
 * Assent Admin API: the built-in resource that guards Identity's admin REST API
 * (`/api/v1/...`), as Microsoft Graph guards Entra's. Migration 0007 creates it in the system
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
};

/** Ids of the Admin API's application permissions (app roles, member type Application). */
export const ADMIN_ROLE_IDS: Record<AdminPermission, string> = {
  "AuditLog.Read.All": "3a42d8ae-4453-412f-9bcc-65ff9384a576",
  "Directory.Read.All": "507533bb-7be0-4bd9-b926-61cdd979298f",
  "Directory.ReadWrite.All": "5e9e4ec8-d577-47cb-a25d-b909bb4e7a56",
  "Application.ReadWrite.All": "732215fb-e16f-47a4-b2ca-09fed133bb98",
  "ConsentRequest.ReadWrite.All": "f576bafd-07b5-4611-b50d-6c56eedb9a3e",
  "Policy.ReadWrite.PermissionGrant": "c744d996-d6d4-40cf-a0f8-7b702724d1fb",
};

export function isAdminPermission(value: string): value is AdminPermission {
  return (ADMIN_PERMISSIONS as readonly string[]).includes(value);
}
