import type { Kysely } from "kysely";
import type { IdentityDB } from "../db.ts";
import { likePrefix } from "../directory/index.ts";
import type { PrincipalType, ServicePrincipalListing } from "./types.ts";

/** Queries of the admin API's enterprise app listings and assignment removal: SQL only. */

export interface ServicePrincipalFilter {
  /** Start of the display name (or of one of its words), case-insensitive; or an exact app id. */
  search?: string | undefined;
  accountEnabled?: boolean | undefined;
  appRoleAssignmentRequired?: boolean | undefined;
  visibleToUsers?: boolean | undefined;
  /** "own": registered in this tenant; "external": another tenant's (multi-tenant) app. */
  applicationType?: "own" | "external" | undefined;
}

function listing(db: Kysely<IdentityDB>, tenantId: string) {
  return db
    .selectFrom("identity.service_principals as sp")
    .innerJoin("identity.applications as a", "a.id", "sp.application_id")
    .select([
      "sp.id",
      "sp.tenant_id",
      "sp.application_id",
      "a.app_id",
      "sp.account_enabled",
      "sp.app_role_assignment_required",
      "sp.visible_to_users",
      "sp.notes",
      "a.display_name",
      "a.publisher_display_name",
      "a.publisher_verified",
      "a.tenant_id as home_tenant_id",
      "sp.created_at",
    ])
    .where("sp.tenant_id", "=", tenantId);
}

type Row = Awaited<ReturnType<ReturnType<typeof listing>["execute"]>>[number];

function toListing(row: Row): ServicePrincipalListing {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    applicationId: row.application_id,
    appId: row.app_id,
    accountEnabled: row.account_enabled,
    appRoleAssignmentRequired: row.app_role_assignment_required,
    visibleToUsers: row.visible_to_users,
    notes: row.notes,
    displayName: row.display_name,
    publisherDisplayName: row.publisher_display_name,
    publisherVerified: row.publisher_verified,
    homeTenantId: row.home_tenant_id,
    createdAt: row.created_at,
  };
}

/** Service principals by (display name, id), after `after`, matching the filter; `limit` rows. */
export async function selectServicePrincipalPage(
  db: Kysely<IdentityDB>,
  tenantId: string,
  filter: ServicePrincipalFilter,
  options: { after?: { name: string; id: string } | undefined; limit: number },
): Promise<ServicePrincipalListing[]> {
  let query = listing(db, tenantId);
  const search = filter.search?.toLowerCase();
  if (search)
    query = query.where((eb) =>
      eb.or([
        eb(eb.fn("lower", ["a.display_name"]), "like", likePrefix(search)),
        eb(eb.fn("lower", ["a.display_name"]), "like", `% ${likePrefix(search)}`),
        eb(eb.cast("a.app_id", "text"), "=", search),
      ]),
    );
  if (filter.accountEnabled !== undefined)
    query = query.where("sp.account_enabled", "=", filter.accountEnabled);
  if (filter.appRoleAssignmentRequired !== undefined)
    query = query.where("sp.app_role_assignment_required", "=", filter.appRoleAssignmentRequired);
  if (filter.visibleToUsers !== undefined)
    query = query.where("sp.visible_to_users", "=", filter.visibleToUsers);
  if (filter.applicationType === "own") query = query.where("a.tenant_id", "=", tenantId);
  if (filter.applicationType === "external") query = query.where("a.tenant_id", "<>", tenantId);
  const after = options.after;
  if (after)
    query = query.where((eb) =>
      eb(eb.refTuple("a.display_name", "sp.id"), ">", eb.tuple(after.name, after.id)),
    );
  const rows = await query
    .orderBy("a.display_name")
    .orderBy("sp.id")
    .limit(options.limit)
    .execute();
  return rows.map(toListing);
}

/** `id` must be uuid-shaped (the caller checks). */
export async function selectServicePrincipalListing(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
): Promise<ServicePrincipalListing | undefined> {
  const row = await listing(db, tenantId).where("sp.id", "=", id).executeTakeFirst();
  return row && toListing(row);
}

/** The assignments on a resource service principal with the principal's and the role's names. */
export async function selectAssignedTo(
  db: Kysely<IdentityDB>,
  tenantId: string,
  resourceServicePrincipalId: string,
  principalTypes: readonly PrincipalType[],
) {
  return db
    .selectFrom("identity.app_role_assignments as x")
    .leftJoin("identity.users as u", (join) =>
      join
        .onRef("u.id", "=", "x.principal_id")
        .onRef("u.tenant_id", "=", "x.tenant_id")
        .on("x.principal_type", "=", "User"),
    )
    .leftJoin("identity.groups as g", (join) =>
      join
        .onRef("g.id", "=", "x.principal_id")
        .onRef("g.tenant_id", "=", "x.tenant_id")
        .on("x.principal_type", "=", "Group"),
    )
    .innerJoin("identity.service_principals as sp", "sp.id", "x.resource_service_principal_id")
    .leftJoin("identity.application_roles as r", (join) =>
      join.onRef("r.id", "=", "x.app_role_id").onRef("r.application_id", "=", "sp.application_id"),
    )
    .select([
      "x.id",
      "x.principal_type",
      "x.principal_id",
      "x.app_role_id",
      "x.created_at",
      "u.user_principal_name",
      "u.display_name as user_display_name",
      "g.display_name as group_display_name",
      "r.value as role_value",
    ])
    .where("x.tenant_id", "=", tenantId)
    .where("x.resource_service_principal_id", "=", resourceServicePrincipalId)
    .where("x.principal_type", "in", [...principalTypes])
    .orderBy("x.created_at")
    .orderBy("x.id")
    .execute();
}

/** Deletes one assignment on the resource service principal; the deleted row, if any. */
export async function deleteAssignment(
  db: Kysely<IdentityDB>,
  tenantId: string,
  resourceServicePrincipalId: string,
  id: string,
) {
  return db
    .deleteFrom("identity.app_role_assignments")
    .where("tenant_id", "=", tenantId)
    .where("resource_service_principal_id", "=", resourceServicePrincipalId)
    .where("id", "=", id)
    .returning(["id", "principal_type", "principal_id", "app_role_id"])
    .executeTakeFirst();
}

/** The assignments a service principal holds as principal: its application permissions. */
export async function selectAssignmentsHeldBy(
  db: Kysely<IdentityDB>,
  tenantId: string,
  servicePrincipalId: string,
) {
  return db
    .selectFrom("identity.app_role_assignments as x")
    .innerJoin("identity.service_principals as rsp", "rsp.id", "x.resource_service_principal_id")
    .innerJoin("identity.applications as ra", "ra.id", "rsp.application_id")
    .leftJoin("identity.application_roles as r", (join) =>
      join.onRef("r.id", "=", "x.app_role_id").onRef("r.application_id", "=", "ra.id"),
    )
    .select([
      "x.id",
      "x.resource_service_principal_id",
      "ra.app_id as resource_app_id",
      "ra.display_name as resource_display_name",
      "x.app_role_id",
      "r.value as role_value",
      "x.created_at",
    ])
    .where("x.tenant_id", "=", tenantId)
    .where("rsp.tenant_id", "=", tenantId)
    .where("x.principal_type", "=", "ServicePrincipal")
    .where("x.principal_id", "=", servicePrincipalId)
    .orderBy("ra.display_name")
    .orderBy("r.value")
    .execute();
}
