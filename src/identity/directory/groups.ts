import type { Kysely } from "kysely";
import { inTransaction, isUniqueViolation } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { type AuditActor, recordAudit } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import {
  deleteMember,
  insertGroup,
  insertMember,
  selectGroupById,
  selectGroupByName,
  selectGroupIdsOfUser,
  selectGroups,
  selectMembers,
} from "./group-queries.ts";
import { isUuid, normaliseDisplayName } from "./names.ts";
import { selectTenantById } from "./tenant-queries.ts";
import type { Group, GroupMember } from "./types.ts";
import { getUser } from "./users.ts";

// Entra caps a group's description at 1024 characters.
const MAX_DESCRIPTION = 1024;

export interface NewGroup {
  displayName: string;
  description?: string | undefined;
}

/** Creates a group; its name is unique in the tenant (constraint groups_tenant_name_key). */
export async function createGroup(
  db: Kysely<IdentityDB>,
  tenantId: string,
  input: NewGroup,
  actor: AuditActor,
): Promise<Group> {
  const displayName = normaliseDisplayName(input.displayName, "group.invalid_name", "group name");
  const description = input.description?.trim() || null;
  if (description && description.length > MAX_DESCRIPTION)
    throw new ApiError(
      400,
      "group.invalid_description",
      `The group description must be at most ${MAX_DESCRIPTION} characters.`,
    );
  try {
    return await inTransaction(db, async (trx) => {
      const tenant = isUuid(tenantId) ? await selectTenantById(trx, tenantId) : undefined;
      if (!tenant) throw new ApiError(404, "tenant.not_found", `No tenant with id "${tenantId}".`);
      const group = await insertGroup(trx, { tenantId: tenant.id, displayName, description });
      await recordAudit(trx, {
        tenantId: tenant.id,
        activity: "Add group",
        category: "GroupManagement",
        actor,
        targets: [{ type: "Group", id: group.id, displayName }],
      });
      return group;
    });
  } catch (error) {
    if (isUniqueViolation(error, "groups_tenant_name_key"))
      throw new ApiError(
        409,
        "group.duplicate_name",
        `A group named "${displayName}" already exists in this tenant. Choose another name.`,
      );
    throw error;
  }
}

export async function listGroups(db: Kysely<IdentityDB>, tenantId: string): Promise<Group[]> {
  return isUuid(tenantId) ? selectGroups(db, tenantId) : [];
}

export async function getGroup(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
): Promise<Group | undefined> {
  return isUuid(tenantId) && isUuid(id) ? selectGroupById(db, tenantId, id) : undefined;
}

/** The group named by id or by its exact name; a miss is a 404 ApiError. */
export async function requireGroup(
  db: Kysely<IdentityDB>,
  tenantId: string,
  ref: string,
): Promise<Group> {
  const value = ref.trim();
  const group =
    (await getGroup(db, tenantId, value)) ??
    (isUuid(tenantId) ? await selectGroupByName(db, tenantId, value) : undefined);
  if (!group) throw new ApiError(404, "group.not_found", `No group "${ref}" in this tenant.`);
  return group;
}

/**
 * Loads the group and the user, both in `tenantId`: a group of one tenant never gains a member
 * of another. (The membership insert filters on tenant_id too, so the rule holds twice.)
 */
async function memberPair(
  db: Kysely<IdentityDB>,
  tenantId: string,
  groupId: string,
  userId: string,
) {
  const group = await getGroup(db, tenantId, groupId);
  if (!group)
    throw new ApiError(404, "group.not_found", `No group with id "${groupId}" in this tenant.`);
  const user = await getUser(db, tenantId, userId);
  if (!user)
    throw new ApiError(404, "user.not_found", `No user with id "${userId}" in this tenant.`);
  return { group, user };
}

export async function addGroupMember(
  db: Kysely<IdentityDB>,
  tenantId: string,
  groupId: string,
  userId: string,
  actor: AuditActor,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const { group, user } = await memberPair(trx, tenantId, groupId, userId);
    const added = await insertMember(trx, tenantId, group.id, user.id);
    if (!added)
      throw new ApiError(
        409,
        "group.already_member",
        `"${user.userPrincipalName}" is already a member of the group "${group.displayName}".`,
      );
    await recordAudit(trx, {
      tenantId,
      activity: "Add member to group",
      category: "GroupManagement",
      actor,
      targets: [
        { type: "Group", id: group.id, displayName: group.displayName },
        { type: "User", id: user.id, displayName: user.userPrincipalName },
      ],
    });
  });
}

export async function removeGroupMember(
  db: Kysely<IdentityDB>,
  tenantId: string,
  groupId: string,
  userId: string,
  actor: AuditActor,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const { group, user } = await memberPair(trx, tenantId, groupId, userId);
    if (!(await deleteMember(trx, tenantId, group.id, user.id)))
      throw new ApiError(
        404,
        "group.not_member",
        `"${user.userPrincipalName}" is not a member of the group "${group.displayName}".`,
      );
    await recordAudit(trx, {
      tenantId,
      activity: "Remove member from group",
      category: "GroupManagement",
      actor,
      targets: [
        { type: "Group", id: group.id, displayName: group.displayName },
        { type: "User", id: user.id, displayName: user.userPrincipalName },
      ],
    });
  });
}

export async function listGroupMembers(
  db: Kysely<IdentityDB>,
  tenantId: string,
  groupId: string,
): Promise<GroupMember[]> {
  return isUuid(tenantId) && isUuid(groupId) ? selectMembers(db, tenantId, groupId) : [];
}

/**
 * Ids of the groups the user is a direct member of (groups do not nest in Assent), for the
 * consent decision and assignment checks.
 */
export async function groupIdsOfUser(
  db: Kysely<IdentityDB>,
  tenantId: string,
  userId: string,
): Promise<string[]> {
  return isUuid(tenantId) && isUuid(userId) ? selectGroupIdsOfUser(db, tenantId, userId) : [];
}
