import type { Kysely } from "kysely";
import type { IdentityDB } from "../db.ts";
import type { AppRole, ExposedScope, PrincipalType } from "./types.ts";

/** Queries of the admin API's changes to exposed and required permissions: SQL only. */

/** Deletes a required permission by its permission id; the deleted row, if there was one. */
export async function deleteRequiredPermission(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  permissionId: string,
): Promise<{ resourceApplicationId: string; type: "Scope" | "Role" } | undefined> {
  const row = await db
    .deleteFrom("identity.application_required_permissions")
    .where("tenant_id", "=", tenantId)
    .where("application_id", "=", applicationId)
    .where("permission_id", "=", permissionId)
    .returning(["resource_application_id", "type"])
    .executeTakeFirst();
  return row && { resourceApplicationId: row.resource_application_id, type: row.type };
}

type PermissionTable = "identity.application_scopes" | "identity.application_roles";

/** Sets `enabled` on a scope or app role of the application; false when there is no such row. */
export async function updatePermissionEnabled(
  db: Kysely<IdentityDB>,
  table: PermissionTable,
  tenantId: string,
  applicationId: string,
  id: string,
  enabled: boolean,
): Promise<boolean> {
  const result = await db
    .updateTable(table)
    .set({ enabled })
    .where("tenant_id", "=", tenantId)
    .where("application_id", "=", applicationId)
    .where("id", "=", id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Deletes a disabled scope or app role; false when there is none (or it is enabled). */
export async function deleteDisabledPermission(
  db: Kysely<IdentityDB>,
  table: PermissionTable,
  tenantId: string,
  applicationId: string,
  id: string,
): Promise<boolean> {
  const row = await db
    .deleteFrom(table)
    .where("tenant_id", "=", tenantId)
    .where("application_id", "=", applicationId)
    .where("id", "=", id)
    .where("enabled", "=", false)
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

/** Writes an exposed scope's consent texts, who may consent, and `enabled`. */
export async function updateScopeRow(
  db: Kysely<IdentityDB>,
  tenantId: string,
  scope: ExposedScope,
): Promise<void> {
  await db
    .updateTable("identity.application_scopes")
    .set({
      admin_consent_display_name: scope.adminConsentDisplayName,
      admin_consent_description: scope.adminConsentDescription,
      user_consent_display_name: scope.userConsentDisplayName,
      user_consent_description: scope.userConsentDescription,
      admin_consent_required: scope.adminConsentRequired,
      enabled: scope.enabled,
    })
    .where("tenant_id", "=", tenantId)
    .where("application_id", "=", scope.applicationId)
    .where("id", "=", scope.id)
    .execute();
}

/**
 * Writes an app role's value, texts, allowed member types and `enabled`; its id stays, so the
 * assignments that name it keep naming it. A value the application already uses fails on
 * `application_roles_app_value_key`.
 */
export async function updateRoleRow(
  db: Kysely<IdentityDB>,
  tenantId: string,
  role: AppRole,
): Promise<void> {
  await db
    .updateTable("identity.application_roles")
    .set({
      value: role.value,
      display_name: role.displayName,
      description: role.description,
      allowed_member_types: JSON.stringify(role.allowedMemberTypes),
      enabled: role.enabled,
    })
    .where("tenant_id", "=", tenantId)
    .where("application_id", "=", role.applicationId)
    .where("id", "=", role.id)
    .execute();
}

/**
 * The kinds of principal holding the app role, in every tenant (a multi-tenant application's
 * role is assigned in its customers' tenants too).
 */
export async function selectRoleAssigneeTypes(
  db: Kysely<IdentityDB>,
  applicationId: string,
  roleId: string,
): Promise<PrincipalType[]> {
  const rows = await db
    .selectFrom("identity.app_role_assignments as a")
    .innerJoin("identity.service_principals as sp", "sp.id", "a.resource_service_principal_id")
    .select("a.principal_type")
    .distinct()
    .where("sp.application_id", "=", applicationId)
    .where("a.app_role_id", "=", roleId)
    .execute();
  return rows.map((r) => r.principal_type);
}
