import type { Kysely } from "kysely";
import { inTransaction, isUniqueViolation } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { type AuditActor, type ModifiedProperty, recordAudit } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import {
  deleteGroupRow,
  selectGroupPage,
  selectPrincipalNames,
  updateGroupRow,
} from "./directory-admin-queries.ts";
import { getGroup } from "./groups.ts";
import { decodeNameCursor, type NamePage, type NameQuery, toNamePage } from "./keyset.ts";
import { isUuid, normaliseDisplayName } from "./names.ts";
import type { Group } from "./types.ts";

// Entra caps a group's description at 1024 characters (as groups.ts).
const MAX_DESCRIPTION = 1024;

/**
 * One page of the tenant's groups, sorted by name; `search` matches the start of the name or
 * of one of its words, case-insensitively.
 */
export async function searchGroups(
  db: Kysely<IdentityDB>,
  tenantId: string,
  query: NameQuery,
): Promise<NamePage<Group>> {
  const afterName = query.cursor ? decodeNameCursor(query.cursor, 1)[0] : undefined;
  if (!isUuid(tenantId)) return { value: [], nextCursor: undefined };
  const rows = await selectGroupPage(db, tenantId, {
    search: query.search,
    afterName,
    limit: query.top + 1,
  });
  return toNamePage(rows, query.top, (g) => [g.displayName]);
}

function notFound(groupId: string): ApiError {
  return new ApiError(404, "group.not_found", `No group with id "${groupId}" in this tenant.`);
}

/** Renames a group or changes its description (null clears it); writes "Update group". */
export async function updateGroup(
  db: Kysely<IdentityDB>,
  tenantId: string,
  groupId: string,
  patch: { displayName?: string | undefined; description?: string | null | undefined },
  actor: AuditActor,
): Promise<Group> {
  const name =
    patch.displayName === undefined
      ? undefined
      : normaliseDisplayName(patch.displayName, "group.invalid_name", "group name");
  const description =
    patch.description === undefined ? undefined : patch.description?.trim() || null;
  if (description && description.length > MAX_DESCRIPTION)
    throw new ApiError(
      400,
      "group.invalid_description",
      `The group description must be at most ${MAX_DESCRIPTION} characters.`,
    );
  try {
    return await inTransaction(db, async (trx) => {
      const before = await getGroup(trx, tenantId, groupId);
      if (!before) throw notFound(groupId);
      const values = {
        displayName: name ?? before.displayName,
        description: description === undefined ? before.description : description,
      };
      const changes: ModifiedProperty[] = [];
      if (values.displayName !== before.displayName)
        changes.push({
          name: "DisplayName",
          oldValue: before.displayName,
          newValue: values.displayName,
        });
      if (values.description !== before.description)
        changes.push({
          name: "Description",
          oldValue: before.description,
          newValue: values.description,
        });
      if (changes.length === 0) return before;
      const after = await updateGroupRow(trx, tenantId, before.id, values);
      if (!after) throw notFound(groupId);
      await recordAudit(trx, {
        tenantId,
        activity: "Update group",
        category: "GroupManagement",
        actor,
        targets: [{ type: "Group", id: after.id, displayName: after.displayName }],
        modifiedProperties: changes,
      });
      return after;
    });
  } catch (error) {
    if (isUniqueViolation(error, "groups_tenant_name_key"))
      throw new ApiError(
        409,
        "group.duplicate_name",
        `A group named "${name}" already exists in this tenant. Choose another name.`,
      );
    throw error;
  }
}

/**
 * Deletes a group: its memberships and app assignments go with it. Delegated grants made to
 * the group stop applying to anyone (no one can be a member any more). Writes "Delete group".
 */
export async function deleteGroup(
  db: Kysely<IdentityDB>,
  tenantId: string,
  groupId: string,
  actor: AuditActor,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const group = await getGroup(trx, tenantId, groupId);
    if (!group || !(await deleteGroupRow(trx, tenantId, group.id))) throw notFound(groupId);
    await recordAudit(trx, {
      tenantId,
      activity: "Delete group",
      category: "GroupManagement",
      actor,
      targets: [{ type: "Group", id: group.id, displayName: group.displayName }],
    });
  });
}

/** Names of users and groups of the tenant, by id (unknown or malformed ids are left out). */
export async function principalNames(
  db: Kysely<IdentityDB>,
  tenantId: string,
  ids: { users?: readonly string[]; groups?: readonly string[] },
) {
  const valid = (list: readonly string[] | undefined) => [
    ...new Set((list ?? []).filter(isUuid).map((id) => id.toLowerCase())),
  ];
  if (!isUuid(tenantId)) return { users: [], groups: [] };
  return selectPrincipalNames(db, tenantId, { users: valid(ids.users), groups: valid(ids.groups) });
}
