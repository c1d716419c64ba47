import type { Kysely, Selectable } from "kysely";
import type { IdentityDB } from "../db.ts";
import type { GroupsTable } from "./tables.ts";
import type { Group, GroupMember } from "./types.ts";

export const GROUP_COLUMNS = [
  "id",
  "tenant_id",
  "display_name",
  "description",
  "created_at",
] as const;

export function toGroup(row: Selectable<GroupsTable>): Group {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    displayName: row.display_name,
    description: row.description,
    createdAt: row.created_at,
  };
}

export async function insertGroup(
  db: Kysely<IdentityDB>,
  values: { tenantId: string; displayName: string; description: string | null },
): Promise<Group> {
  const row = await db
    .insertInto("identity.groups")
    .values({
      tenant_id: values.tenantId,
      display_name: values.displayName,
      description: values.description,
    })
    .returning(GROUP_COLUMNS)
    .executeTakeFirstOrThrow();
  return toGroup(row);
}

export async function selectGroups(db: Kysely<IdentityDB>, tenantId: string): Promise<Group[]> {
  const rows = await db
    .selectFrom("identity.groups")
    .select(GROUP_COLUMNS)
    .where("tenant_id", "=", tenantId)
    .orderBy("display_name")
    .execute();
  return rows.map(toGroup);
}

/** `id` must be uuid-shaped (the caller checks). */
export async function selectGroupById(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
): Promise<Group | undefined> {
  const row = await db
    .selectFrom("identity.groups")
    .select(GROUP_COLUMNS)
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .executeTakeFirst();
  return row && toGroup(row);
}

export async function selectGroupByName(
  db: Kysely<IdentityDB>,
  tenantId: string,
  displayName: string,
): Promise<Group | undefined> {
  const row = await db
    .selectFrom("identity.groups")
    .select(GROUP_COLUMNS)
    .where("tenant_id", "=", tenantId)
    .where("display_name", "=", displayName)
    .executeTakeFirst();
  return row && toGroup(row);
}

/**
 * Adds a membership only when the group AND the user both belong to `tenantId`: the row is
 * built from a join on tenant_id, so a cross-tenant pair inserts nothing. Undefined when nothing
 * was inserted (cross-tenant, unknown, or already a member).
 */
export async function insertMember(
  db: Kysely<IdentityDB>,
  tenantId: string,
  groupId: string,
  userId: string,
): Promise<{ groupId: string; userId: string } | undefined> {
  const row = await db
    .insertInto("identity.group_members")
    .columns(["tenant_id", "group_id", "user_id"])
    .expression((eb) =>
      eb
        .selectFrom("identity.groups as g")
        .innerJoin("identity.users as u", "u.tenant_id", "g.tenant_id")
        .select(["g.tenant_id", "g.id as group_id", "u.id as user_id"])
        .where("g.tenant_id", "=", tenantId)
        .where("g.id", "=", groupId)
        .where("u.id", "=", userId),
    )
    .onConflict((oc) => oc.columns(["group_id", "user_id"]).doNothing())
    .returning(["group_id", "user_id"])
    .executeTakeFirst();
  return row && { groupId: row.group_id, userId: row.user_id };
}

/** True when a membership was removed. */
export async function deleteMember(
  db: Kysely<IdentityDB>,
  tenantId: string,
  groupId: string,
  userId: string,
): Promise<boolean> {
  const row = await db
    .deleteFrom("identity.group_members")
    .where("tenant_id", "=", tenantId)
    .where("group_id", "=", groupId)
    .where("user_id", "=", userId)
    .returning("user_id")
    .executeTakeFirst();
  return row !== undefined;
}

export async function selectMembers(
  db: Kysely<IdentityDB>,
  tenantId: string,
  groupId: string,
): Promise<GroupMember[]> {
  const rows = await db
    .selectFrom("identity.group_members as m")
    .innerJoin("identity.users as u", "u.id", "m.user_id")
    .select(["m.group_id", "m.user_id", "u.user_principal_name", "u.display_name", "m.created_at"])
    .where("m.tenant_id", "=", tenantId)
    .where("u.tenant_id", "=", tenantId)
    .where("m.group_id", "=", groupId)
    .orderBy("u.user_principal_name")
    .execute();
  return rows.map((r) => ({
    groupId: r.group_id,
    userId: r.user_id,
    userPrincipalName: r.user_principal_name,
    displayName: r.display_name,
    addedAt: r.created_at,
  }));
}

export async function selectGroupIdsOfUser(
  db: Kysely<IdentityDB>,
  tenantId: string,
  userId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom("identity.group_members")
    .select("group_id")
    .where("tenant_id", "=", tenantId)
    .where("user_id", "=", userId)
    .orderBy("group_id")
    .execute();
  return rows.map((r) => r.group_id);
}
