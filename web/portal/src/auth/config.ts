/**
 * The portal as an OIDC client: the built-in first-party app Assent Portal (migration 0014;
 * src/identity/portal/portal-app.ts holds the same id), signing in with the tenant's own issuer
 * and asking for the Admin API's delegated permissions, which are pre-authorized for it.
 */
export const CLIENT_ID = "00000003-0000-0000-c000-00000000b07a";

/** One redirect URI for every tenant; the tenant travels in the sign-in state. */
export const CALLBACK_PATH = "/portal/callback";

const ADMIN_PERMISSIONS = [
  "AuditLog.Read.All",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
  "Application.ReadWrite.All",
  "ConsentRequest.ReadWrite.All",
  "Policy.ReadWrite.PermissionGrant",
  "RoleManagement.ReadWrite.Directory",
  "AppRoleAssignment.ReadWrite.All",
  "DelegatedPermissionGrant.ReadWrite.All",
  "Policy.Read.All",
  "Policy.ReadWrite.Authorization",
];

export const SCOPE = [
  "openid",
  "profile",
  ...ADMIN_PERMISSIONS.map((p) => `api://assent-admin/${p}`),
].join(" ");

/** The tenant the URL names: `/{tenant}/portal/...`. */
export function tenantOfPath(pathname: string): string | undefined {
  const match = /^\/([^/]+)\/portal(?:\/|$)/.exec(pathname);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}
