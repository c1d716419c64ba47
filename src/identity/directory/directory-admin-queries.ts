import { type Kysely, sql } from "kysely";
import type { IdentityDB } from "../db.ts";
import { GROUP_COLUMNS, toGroup } from "./group-queries.ts";
import { likePrefix } from "./keyset.ts";
import type { Group, User } from "./types.ts";
import { hasPassword, toUser, USER_COLUMNS } from "./user-queries.ts";

/** Queries of the admin API's user and group operations: SQL only. */

/** Matches a display name that starts with the text, or has a word that does. */
function nameMatches(column: string, search: string) {
  const text = search.toLowerCase();
  return sql<boolean>`(lower(${sql.ref(column)}) like ${likePrefix(text)}
    or lower(${sql.ref(column)}) like ${`% ${likePrefix(text)}`})`;
}

/** Users by principal name, after `afterUpn`, optionally matching a search; `limit` rows. */
export async function selectUserPage(
  db: Kysely<IdentityDB>,
  tenantId: string,
  options: { search?: string | undefined; afterUpn?: string | undefined; limit: number },
): Promise<User[]> {
  let query = db
    .selectFrom("identity.users")
    .select([...USER_COLUMNS, hasPassword])
    .where("tenant_id", "=", tenantId);
  if (options.search)
    query = query.where((eb) =>
      eb.or([
        eb("user_principal_name", "like", likePrefix(options.search!.toLowerCase())),
        nameMatches("display_name", options.search!),
      ]),
    );
  if (options.afterUpn !== undefined)
    query = query.where("user_principal_name", ">", options.afterUpn);
  const rows = await query.orderBy("user_principal_name").limit(options.limit).execute();
  return rows.map(toUser);
}

export async function updateUserDisplayName(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
  displayName: string,
): Promise<User | undefined> {
  const row = await db
    .updateTable("identity.users")
    .set({ display_name: displayName, updated_at: sql`now()` })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .returning([...USER_COLUMNS, hasPassword])
    .executeTakeFirst();
  return row && toUser(row);
}

/**
 * Deletes a user; memberships, role assignments, delegated grants and consent request entries
 * go with it (foreign keys), app role assignments through migration 0013's trigger.
 */
export async function deleteUserRow(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
): Promise<boolean> {
  const row = await db
    .deleteFrom("identity.users")
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

/** Groups by display name, after `afterName`, optionally matching a search; `limit` rows. */
export async function selectGroupPage(
  db: Kysely<IdentityDB>,
  tenantId: string,
  options: { search?: string | undefined; afterName?: string | undefined; limit: number },
): Promise<Group[]> {
  let query = db
    .selectFrom("identity.groups")
    .select(GROUP_COLUMNS)
    .where("tenant_id", "=", tenantId);
  if (options.search) query = query.where(nameMatches("display_name", options.search));
  if (options.afterName !== undefined) query = query.where("display_name", ">", options.afterName);
  const rows = await query.orderBy("display_name").limit(options.limit).execute();
  return rows.map(toGroup);
}

export async function updateGroupRow(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
  values: { displayName: string; description: string | null },
): Promise<Group | undefined> {
  const row = await db
    .updateTable("identity.groups")
    .set({ display_name: values.displayName, description: values.description })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .returning(GROUP_COLUMNS)
    .executeTakeFirst();
  return row && toGroup(row);
}

/** Deletes a group; memberships go with it, app role assignments through 0013's trigger. */
export async function deleteGroupRow(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
): Promise<boolean> {
  const row = await db
    .deleteFrom("identity.groups")
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

/** Display names of the given users and groups of the tenant (for listings that show who). */
export async function selectPrincipalNames(
  db: Kysely<IdentityDB>,
  tenantId: string,
  ids: { users: readonly string[]; groups: readonly string[] },
): Promise<{
  users: Array<{ id: string; userPrincipalName: string; displayName: string }>;
  groups: Array<{ id: string; displayName: string }>;
}> {
  const users =
    ids.users.length === 0
      ? []
      : await db
          .selectFrom("identity.users")
          .select(["id", "user_principal_name", "display_name"])
          .where("tenant_id", "=", tenantId)
          .where("id", "in", [...ids.users])
          .execute();
  const groups =
    ids.groups.length === 0
      ? []
      : await db
          .selectFrom("identity.groups")
          .select(["id", "display_name"])
          .where("tenant_id", "=", tenantId)
          .where("id", "in", [...ids.groups])
          .execute();
  return {
    users: users.map((u) => ({
      id: u.id,
      userPrincipalName: u.user_principal_name,
      displayName: u.display_name,
    })),
    groups: groups.map((g) => ({ id: g.id, displayName: g.display_name })),
  };
}
