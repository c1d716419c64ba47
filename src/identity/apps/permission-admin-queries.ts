import type { Kysely } from "kysely";
import type { IdentityDB } from "../db.ts";

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
