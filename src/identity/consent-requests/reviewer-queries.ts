import type { Kysely } from "kysely";
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
