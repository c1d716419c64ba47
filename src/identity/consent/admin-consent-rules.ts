import { MAIL_RESOURCE } from "../apps/mail-resource.ts";
import type { DirectoryRoleKey } from "./policy.ts";

/**
 * Who may grant what for the whole organisation (Entra: the roles' built-in consent policies).
 * Global Administrator and Privileged Role Administrator may grant anything. Cloud Application
 * Administrator and Application Administrator may grant delegated permissions and application
 * permissions of any API except Assent Mail's (Entra: Microsoft Graph app roles need a Global
 * or Privileged Role Administrator, because they reach every mailbox of the tenant).
 */

export type PermissionToGrant =
  | { type: "delegated"; resourceAppId: string; value: string }
  | { type: "application"; resourceAppId: string; value: string };

const EVERYTHING: readonly DirectoryRoleKey[] = [
  "global_administrator",
  "privileged_role_administrator",
];
const APPLICATION_ADMINS: readonly DirectoryRoleKey[] = [
  "cloud_application_administrator",
  "application_administrator",
];

/**
 * True when a user with `roles` may grant `permission` tenant-wide.
 *
 * @example
 * mayGrantForOrganization(["application_administrator"], { type: "application", resourceAppId: MAIL_RESOURCE.appId, value: "Mail.Read.All" }); // false
 */
export function mayGrantForOrganization(
  roles: readonly DirectoryRoleKey[],
  permission: PermissionToGrant,
): boolean {
  if (roles.some((r) => EVERYTHING.includes(r))) return true;
  if (!roles.some((r) => APPLICATION_ADMINS.includes(r))) return false;
  return permission.type === "delegated" || permission.resourceAppId !== MAIL_RESOURCE.appId;
}

/** True when the roles allow granting anything tenant-wide (the /adminconsent gate). */
export function isConsentAdministrator(roles: readonly DirectoryRoleKey[]): boolean {
  return roles.some((r) => EVERYTHING.includes(r) || APPLICATION_ADMINS.includes(r));
}
