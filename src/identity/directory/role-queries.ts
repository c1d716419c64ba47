import type { Kysely } from "kysely";
import type { IdentityDB } from "../db.ts";
import type { DirectoryRole } from "./roles.ts";
import type { DirectoryRoleAssignment } from "./types.ts";

/**
 * Assigns a role only when the user belongs to `tenantId` (the row comes from the tenant's
 * users). Undefined when nothing was inserted: unknown user, or already assigned.
 */
export async function insertRoleAssignment(
  db: Kysely<IdentityDB>,
  tenantId: string,
  userId: string,
  role: DirectoryRole,
): Promise<{ userId: string; role: string } | undefined> {
  const row = await db
    .insertInto("identity.directory_role_assignments")
    .columns(["tenant_id", "user_id", "role"])
    .expression((eb) =>
      eb
        .selectFrom("identity.users")
        .select((s) => ["tenant_id", "id", s.val(role).as("role")])
        .where("tenant_id", "=", tenantId)
        .where("id", "=", userId),
    )
    .onConflict((oc) => oc.columns(["tenant_id", "user_id", "role"]).doNothing())
    .returning(["user_id", "role"])
    .executeTakeFirst();
  return row && { userId: row.user_id, role: row.role };
}

/** True when an assignment was removed. */
export async function deleteRoleAssignment(
  db: Kysely<IdentityDB>,
  tenantId: string,
  userId: string,
  role: DirectoryRole,
): Promise<boolean> {
  const row = await db
    .deleteFrom("identity.directory_role_assignments")
    .where("tenant_id", "=", tenantId)
    .where("user_id", "=", userId)
    .where("role", "=", role)
    .returning("role")
    .executeTakeFirst();
  return row !== undefined;
}

export async function selectRoleAssignments(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<DirectoryRoleAssignment[]> {
  const rows = await db
    .selectFrom("identity.directory_role_assignments as a")
    .innerJoin("identity.users as u", "u.id", "a.user_id")
    .select([
      "a.tenant_id",
      "a.user_id",
      "a.role",
      "a.created_at",
      "u.user_principal_name",
      "u.display_name",
    ])
    .where("a.tenant_id", "=", tenantId)
    .where("u.tenant_id", "=", tenantId)
    .orderBy("a.role")
    .orderBy("u.user_principal_name")
    .execute();
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    userId: r.user_id,
    userPrincipalName: r.user_principal_name,
    userDisplayName: r.display_name,
    // The check constraint admits only the six keys.
    role: r.role as DirectoryRole,
    createdAt: r.created_at,
  }));
}

export async function selectRolesOfUser(
  db: Kysely<IdentityDB>,
  tenantId: string,
  userId: string,
): Promise<DirectoryRole[]> {
  const rows = await db
    .selectFrom("identity.directory_role_assignments")
    .select("role")
    .where("tenant_id", "=", tenantId)
    .where("user_id", "=", userId)
    .orderBy("role")
    .execute();
  return rows.map((r) => r.role as DirectoryRole);
}
