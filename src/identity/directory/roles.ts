/**
 * The built-in directory roles Assent knows, named as in Entra ID. The keys are what the
 * database stores (the check constraint in migrations/identity/0001-directory.ts lists the same
 * six); the display names are what people type and read.
 */
export const DIRECTORY_ROLES = [
  {
    key: "global_administrator",
    displayName: "Global Administrator",
    description: "Can manage everything in the tenant, and consent for any permission.",
  },
  {
    key: "privileged_role_administrator",
    displayName: "Privileged Role Administrator",
    description: "Can manage role assignments and consent policies, and grant any consent.",
  },
  {
    key: "cloud_application_administrator",
    displayName: "Cloud Application Administrator",
    description: "Can manage app registrations and enterprise apps, and grant most consent.",
  },
  {
    key: "application_administrator",
    displayName: "Application Administrator",
    description: "Like Cloud Application Administrator, plus application proxy settings.",
  },
  {
    key: "global_reader",
    displayName: "Global Reader",
    description: "Can read everything a Global Administrator can, and change nothing.",
  },
  {
    key: "reports_reader",
    displayName: "Reports Reader",
    description: "Can read sign-in and audit logs.",
  },
] as const;

export type DirectoryRole = (typeof DIRECTORY_ROLES)[number]["key"];

export type DirectoryRoleDefinition = (typeof DIRECTORY_ROLES)[number];

/**
 * The role named by its key or its display name, case-insensitively; undefined otherwise.
 *
 * @example
 * parseDirectoryRole("global administrator"); // "global_administrator"
 * parseDirectoryRole("Reports_Reader"); // "reports_reader"
 */
export function parseDirectoryRole(input: string): DirectoryRole | undefined {
  const wanted = input.trim().toLowerCase();
  return DIRECTORY_ROLES.find((r) => r.key === wanted || r.displayName.toLowerCase() === wanted)
    ?.key;
}

/** The role's display name, e.g. "Global Administrator". */
export function directoryRoleName(role: DirectoryRole): string {
  return DIRECTORY_ROLES.find((r) => r.key === role)?.displayName ?? role;
}

export function isDirectoryRole(value: string): value is DirectoryRole {
  return DIRECTORY_ROLES.some((r) => r.key === value);
}
