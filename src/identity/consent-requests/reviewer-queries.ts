import { type Kysely, sql } from "kysely";
import type { IdentityDB } from "../db.ts";
import type { StoredReviewer } from "./tables.ts";

/** Queries that resolve reviewers to users, live: SQL only. */

export interface ReviewerUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
}

/**
 * The enabled users of the tenant who are reviewers now: listed by id, members of a listed
 * group, or holders of a listed directory role. `onlyUserId` narrows it to one user; `limit`
 * bounds it (1: "is there anyone?").
 */
export async function selectReviewerUsers(
  db: Kysely<IdentityDB>,
  tenantId: string,
  reviewers: readonly StoredReviewer[],
  options: { onlyUserId?: string; limit?: number } = {},
): Promise<ReviewerUser[]> {
  const ids = (type: StoredReviewer["type"]) =>
    reviewers.filter((r) => r.type === type).map((r) => r.id);
  const users = ids("user");
  const groups = ids("group");
  const roles = ids("role");
  if (users.length + groups.length + roles.length === 0) return [];
  let query = db
    .selectFrom("identity.users as u")
    .select(["u.id", "u.user_principal_name", "u.display_name"])
    .where("u.tenant_id", "=", tenantId)
    .where("u.enabled", "=", true)
    .where((eb) =>
      eb.or([
        ...(users.length > 0 ? [eb("u.id", "in", users)] : []),
        ...(groups.length > 0
          ? [
              eb.exists(
                eb
                  .selectFrom("identity.group_members as m")
                  .select("m.user_id")
                  .whereRef("m.user_id", "=", "u.id")
                  .where("m.tenant_id", "=", tenantId)
                  .where("m.group_id", "in", groups),
              ),
            ]
          : []),
        ...(roles.length > 0
          ? [
              eb.exists(
                eb
                  .selectFrom("identity.directory_role_assignments as r")
                  .select("r.user_id")
                  .whereRef("r.user_id", "=", "u.id")
                  .where("r.tenant_id", "=", tenantId)
                  .where("r.role", "in", roles),
              ),
            ]
          : []),
      ]),
    )
    .orderBy("u.user_principal_name");
  if (options.onlyUserId) query = query.where("u.id", "=", options.onlyUserId);
  if (options.limit) query = query.limit(options.limit);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    userPrincipalName: r.user_principal_name,
    displayName: r.display_name,
  }));
}

/** Which of the given ids are users / groups of the tenant (policy validation). */
export async function selectExisting(
  db: Kysely<IdentityDB>,
  tenantId: string,
  table: "identity.users" | "identity.groups",
  ids: readonly string[],
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom(table)
    .select("id")
    .where("tenant_id", "=", tenantId)
    .where("id", "in", [...ids])
    .execute();
  return rows.map((r) => r.id);
}

/** A signed-in user as the request workflow sees them, read in one statement. */
export interface ViewerStatusRow {
  userPrincipalName: string;
  enabled: boolean;
  /** The user's directory role keys, sorted. */
  roles: string[];
  /** Listed as a reviewer, or a member of a listed group, or a holder of a listed role. */
  listed: boolean;
  /** The reviewers it was checked against (the stored policy's when asked for). */
  reviewers: StoredReviewer[];
}

/**
 * The user's name, state and roles, and whether the reviewers name them (the first half of
 * `selectReviewerUsers`'s rule, for one user), in ONE round trip: listing and showing requests
 * resolve the viewer on every call. `reviewers: "policy"` reads them from the tenant's stored
 * policy in the same statement (none stored: none configured). Undefined: no such user.
 */
export async function selectViewerStatus(
  db: Kysely<IdentityDB>,
  tenantId: string,
  userId: string,
  reviewers: readonly StoredReviewer[] | "policy",
): Promise<ViewerStatusRow | undefined> {
  const source =
    reviewers === "policy"
      ? sql`(select p.reviewers from identity.admin_consent_request_policies p
          where p.tenant_id = ${tenantId})`
      : sql`${JSON.stringify(reviewers)}::jsonb`;
  const { rows } = await sql<{
    user_principal_name: string;
    enabled: boolean;
    roles: string[];
    listed: boolean;
    reviewers: StoredReviewer[];
  }>`
    with rv as (select coalesce(${source}, '[]'::jsonb) as list),
    ids as (
      select r->>'type' as type, lower(r->>'id') as id, r->>'id' as raw
      from rv, jsonb_array_elements(rv.list) as r
    )
    select u.user_principal_name, u.enabled, rv.list as reviewers,
      (select coalesce(jsonb_agg(a.role order by a.role), '[]'::jsonb)
        from identity.directory_role_assignments a
        where a.tenant_id = u.tenant_id and a.user_id = u.id) as roles,
      (u.id::text in (select id from ids where type = 'user')
        or exists (select 1 from identity.group_members g
          where g.tenant_id = u.tenant_id and g.user_id = u.id
            and g.group_id::text in (select id from ids where type = 'group'))
        or exists (select 1 from identity.directory_role_assignments a
          where a.tenant_id = u.tenant_id and a.user_id = u.id
            and a.role in (select raw from ids where type = 'role'))) as listed
    from identity.users u, rv
    where u.tenant_id = ${tenantId} and u.id = ${userId}`.execute(db);
  const row = rows[0];
  if (!row) return undefined;
  return {
    userPrincipalName: row.user_principal_name,
    enabled: row.enabled,
    roles: row.roles,
    listed: row.listed,
    reviewers: row.reviewers,
  };
}
