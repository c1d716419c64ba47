import { type Kysely, sql } from "kysely";
import type { IdentityDB } from "../db.ts";
import type { ServicePrincipal, ServicePrincipalListing } from "./types.ts";

const SP_COLUMNS = [
  "sp.id",
  "sp.tenant_id",
  "sp.application_id",
  "a.app_id",
  "sp.account_enabled",
  "sp.app_role_assignment_required",
  "sp.visible_to_users",
  "sp.notes",
] as const;

interface SpRow {
  id: string;
  tenant_id: string;
  application_id: string;
  app_id: string;
  account_enabled: boolean;
  app_role_assignment_required: boolean;
  visible_to_users: boolean;
  notes: string | null;
}

function toServicePrincipal(row: SpRow): ServicePrincipal {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    applicationId: row.application_id,
    appId: row.app_id,
    accountEnabled: row.account_enabled,
    appRoleAssignmentRequired: row.app_role_assignment_required,
    visibleToUsers: row.visible_to_users,
    notes: row.notes,
  };
}

/**
 * Inserts the service principal unless the tenant already has one for the application. The
 * unique constraint decides between concurrent callers: exactly one receives the new id, the
 * others undefined.
 */
export async function insertServicePrincipalIfAbsent(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
): Promise<string | undefined> {
  const row = await db
    .insertInto("identity.service_principals")
    .values({ tenant_id: tenantId, application_id: applicationId })
    .onConflict((oc) => oc.constraint("service_principals_tenant_app_key").doNothing())
    .returning("id")
    .executeTakeFirst();
  return row?.id;
}

export async function selectServicePrincipal(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
): Promise<ServicePrincipal | undefined> {
  const row = await db
    .selectFrom("identity.service_principals as sp")
    .innerJoin("identity.applications as a", "a.id", "sp.application_id")
    .select(SP_COLUMNS)
    .where("sp.tenant_id", "=", tenantId)
    .where("sp.application_id", "=", applicationId)
    .executeTakeFirst();
  return row && toServicePrincipal(row);
}

export async function selectServicePrincipalById(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
): Promise<ServicePrincipal | undefined> {
  const row = await db
    .selectFrom("identity.service_principals as sp")
    .innerJoin("identity.applications as a", "a.id", "sp.application_id")
    .select(SP_COLUMNS)
    .where("sp.tenant_id", "=", tenantId)
    .where("sp.id", "=", id)
    .executeTakeFirst();
  return row && toServicePrincipal(row);
}

export async function selectServicePrincipals(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<ServicePrincipalListing[]> {
  const rows = await db
    .selectFrom("identity.service_principals as sp")
    .innerJoin("identity.applications as a", "a.id", "sp.application_id")
    .select([
      ...SP_COLUMNS,
      "a.display_name",
      "a.publisher_display_name",
      "a.publisher_verified",
      "a.tenant_id as home_tenant_id",
      "sp.created_at",
    ])
    .where("sp.tenant_id", "=", tenantId)
    .orderBy("a.display_name")
    .orderBy("sp.created_at")
    .execute();
  return rows.map((row) => ({
    ...toServicePrincipal(row),
    displayName: row.display_name,
    publisherDisplayName: row.publisher_display_name,
    publisherVerified: row.publisher_verified,
    homeTenantId: row.home_tenant_id,
    createdAt: row.created_at,
  }));
}

export interface ServicePrincipalPatch {
  accountEnabled?: boolean | undefined;
  appRoleAssignmentRequired?: boolean | undefined;
  visibleToUsers?: boolean | undefined;
  notes?: string | null | undefined;
}

/** Applies the patch to the (tenant's) service principal; false when it does not exist. */
export async function updateServicePrincipal(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
  patch: ServicePrincipalPatch,
): Promise<boolean> {
  const result = await db
    .updateTable("identity.service_principals")
    .set({
      ...(patch.accountEnabled === undefined ? {} : { account_enabled: patch.accountEnabled }),
      ...(patch.appRoleAssignmentRequired === undefined
        ? {}
        : { app_role_assignment_required: patch.appRoleAssignmentRequired }),
      ...(patch.visibleToUsers === undefined ? {} : { visible_to_users: patch.visibleToUsers }),
      ...(patch.notes === undefined ? {} : { notes: patch.notes }),
      updated_at: sql<Date>`now()`,
    })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
