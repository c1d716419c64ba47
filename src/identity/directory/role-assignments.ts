import type { Kysely } from "kysely";
import { inTransaction } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { type AuditActor, recordAudit } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import { isUuid } from "./names.ts";
import {
  deleteRoleAssignment,
  insertRoleAssignment,
  selectRoleAssignments,
  selectRolesOfUser,
} from "./role-queries.ts";
import { type DirectoryRole, directoryRoleName, isDirectoryRole } from "./roles.ts";
import type { DirectoryRoleAssignment } from "./types.ts";
import { getUser } from "./users.ts";

function checkRole(role: string): DirectoryRole {
  if (!isDirectoryRole(role))
    throw new ApiError(400, "role.unknown", `"${role}" is not a directory role.`);
  return role;
}

function roleTarget(role: DirectoryRole) {
  return { type: "Role", id: role, displayName: directoryRoleName(role) };
}

/** Gives a user of the tenant a directory role; writes "Add member to role". */
export async function assignDirectoryRole(
  db: Kysely<IdentityDB>,
  tenantId: string,
  userId: string,
  roleInput: DirectoryRole,
  actor: AuditActor,
): Promise<void> {
  const role = checkRole(roleInput);
  await inTransaction(db, async (trx) => {
    const user = await getUser(trx, tenantId, userId);
    if (!user)
      throw new ApiError(404, "user.not_found", `No user with id "${userId}" in this tenant.`);
    if (!(await insertRoleAssignment(trx, tenantId, user.id, role)))
      throw new ApiError(
        409,
        "role.already_assigned",
        `"${user.userPrincipalName}" already holds the role ${directoryRoleName(role)}.`,
      );
    await recordAudit(trx, {
      tenantId,
      activity: "Add member to role",
      category: "RoleManagement",
      actor,
      targets: [
        roleTarget(role),
        { type: "User", id: user.id, displayName: user.userPrincipalName },
      ],
    });
  });
}

/** Takes a directory role from a user; writes "Remove member from role". */
export async function unassignDirectoryRole(
  db: Kysely<IdentityDB>,
  tenantId: string,
  userId: string,
  roleInput: DirectoryRole,
  actor: AuditActor,
): Promise<void> {
  const role = checkRole(roleInput);
  await inTransaction(db, async (trx) => {
    const user = await getUser(trx, tenantId, userId);
    if (!user)
      throw new ApiError(404, "user.not_found", `No user with id "${userId}" in this tenant.`);
    if (!(await deleteRoleAssignment(trx, tenantId, user.id, role)))
      throw new ApiError(
        404,
        "role.not_assigned",
        `"${user.userPrincipalName}" does not hold the role ${directoryRoleName(role)}.`,
      );
    await recordAudit(trx, {
      tenantId,
      activity: "Remove member from role",
      category: "RoleManagement",
      actor,
      targets: [
        roleTarget(role),
        { type: "User", id: user.id, displayName: user.userPrincipalName },
      ],
    });
  });
}

export async function listRoleAssignments(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<DirectoryRoleAssignment[]> {
  return isUuid(tenantId) ? selectRoleAssignments(db, tenantId) : [];
}

/** The user's directory roles (direct assignments only), for the consent decision. */
export async function rolesOfUser(
  db: Kysely<IdentityDB>,
  tenantId: string,
  userId: string,
): Promise<DirectoryRole[]> {
  return isUuid(tenantId) && isUuid(userId) ? selectRolesOfUser(db, tenantId, userId) : [];
}
