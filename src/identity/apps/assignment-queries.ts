import { type Kysely, sql } from "kysely";
import type { IdentityDB } from "../db.ts";
import type { AppRoleAssignment, PrincipalType } from "./types.ts";

const COLUMNS = [
  "id",
  "tenant_id",
  "resource_service_principal_id",
  "principal_type",
  "principal_id",
  "app_role_id",
  "created_at",
] as const;

function toAssignment(row: {
  id: string;
  tenant_id: string;
  resource_service_principal_id: string;
  principal_type: PrincipalType;
  principal_id: string;
  app_role_id: string;
  created_at: Date;
}): AppRoleAssignment {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    resourceServicePrincipalId: row.resource_service_principal_id,
    principalType: row.principal_type,
    principalId: row.principal_id,
    appRoleId: row.app_role_id,
    createdAt: row.created_at,
  };
}

export async function insertAssignment(
  db: Kysely<IdentityDB>,
  values: Omit<AppRoleAssignment, "id" | "createdAt">,
): Promise<AppRoleAssignment> {
  const row = await db
    .insertInto("identity.app_role_assignments")
    .values({
      tenant_id: values.tenantId,
      resource_service_principal_id: values.resourceServicePrincipalId,
      principal_type: values.principalType,
      principal_id: values.principalId,
      app_role_id: values.appRoleId,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return toAssignment(row);
}

export async function selectAssignments(
  db: Kysely<IdentityDB>,
  tenantId: string,
  resourceServicePrincipalId: string,
): Promise<AppRoleAssignment[]> {
  const rows = await db
    .selectFrom("identity.app_role_assignments")
    .select(COLUMNS)
    .where("tenant_id", "=", tenantId)
    .where("resource_service_principal_id", "=", resourceServicePrincipalId)
    .orderBy("created_at")
    .execute();
  return rows.map(toAssignment);
}

/** True when the user, or a group the user is a member of, holds any assignment. */
export async function selectUserAssigned(
  db: Kysely<IdentityDB>,
  tenantId: string,
  resourceServicePrincipalId: string,
  userId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom("identity.app_role_assignments as a")
    .select(sql<number>`1`.as("one"))
    .where("a.tenant_id", "=", tenantId)
    .where("a.resource_service_principal_id", "=", resourceServicePrincipalId)
    .where((eb) =>
      eb.or([
        eb.and([eb("a.principal_type", "=", "User"), eb("a.principal_id", "=", userId)]),
        eb.and([
          eb("a.principal_type", "=", "Group"),
          eb(
            "a.principal_id",
            "in",
            eb
              .selectFrom("identity.group_members as m")
              .select("m.group_id")
              .where("m.tenant_id", "=", tenantId)
              .where("m.user_id", "=", userId),
          ),
        ]),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Values of the enabled application permissions (app roles allowing "Application") that the
 * client service principal holds on the resource's service principal in the tenant.
 */
export async function selectGrantedRoleValues(
  db: Kysely<IdentityDB>,
  tenantId: string,
  clientServicePrincipalId: string,
  resourceApplicationId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom("identity.app_role_assignments as a")
    .innerJoin("identity.service_principals as rsp", "rsp.id", "a.resource_service_principal_id")
    .innerJoin("identity.application_roles as r", "r.id", "a.app_role_id")
    .select("r.value")
    .distinct()
    .where("a.tenant_id", "=", tenantId)
    .where("a.principal_type", "=", "ServicePrincipal")
    .where("a.principal_id", "=", clientServicePrincipalId)
    .where("rsp.tenant_id", "=", tenantId)
    .where("rsp.application_id", "=", resourceApplicationId)
    .where("r.application_id", "=", resourceApplicationId)
    .where("r.enabled", "=", true)
    .where(sql<boolean>`r.allowed_member_types @> '["Application"]'::jsonb`)
    .orderBy("r.value")
    .execute();
  return rows.map((r) => r.value);
}
