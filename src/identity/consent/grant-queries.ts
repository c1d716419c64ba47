import { type Kysely, sql } from "kysely";
import type { IdentityDB } from "../db.ts";

/** Queries of delegated permission grants: SQL only. */

export type ConsentType = "AllPrincipals" | "Principal" | "Groups";

/** A delegated permission grant with the names a listing shows beside it. */
export interface DelegatedPermissionGrant {
  id: string;
  tenantId: string;
  clientServicePrincipalId: string;
  /** Client id and name of the app the grant lets act. */
  clientAppId: string;
  clientDisplayName: string;
  /** Object id, client id and name of the resource (API) the scopes belong to. */
  resourceApplicationId: string;
  resourceAppId: string;
  resourceDisplayName: string;
  consentType: ConsentType;
  principalId: string | null;
  groupIds: string[];
  scopes: string[];
  expiresAt: Date | null;
  grantedBy: unknown;
  createdAt: Date;
  updatedAt: Date;
}

/** Identifies one grant: client, resource and principal (or group set). */
export interface GrantKey {
  tenantId: string;
  clientServicePrincipalId: string;
  resourceApplicationId: string;
  consentType: ConsentType;
  principalId: string | null;
  /** Normalised (grant-arithmetic.ts `normaliseGroupIds`). */
  groupIds: string[];
}

function listing(db: Kysely<IdentityDB>) {
  return db
    .selectFrom("identity.oauth2_permission_grants as g")
    .innerJoin("identity.service_principals as sp", "sp.id", "g.client_service_principal_id")
    .innerJoin("identity.applications as c", "c.id", "sp.application_id")
    .innerJoin("identity.applications as r", "r.id", "g.resource_application_id")
    .select([
      "g.id",
      "g.tenant_id",
      "g.client_service_principal_id",
      "c.app_id as client_app_id",
      "c.display_name as client_display_name",
      "g.resource_application_id",
      "r.app_id as resource_app_id",
      "r.display_name as resource_display_name",
      "g.consent_type",
      "g.principal_id",
      "g.group_ids",
      "g.scopes",
      "g.expires_at",
      "g.granted_by",
      "g.created_at",
      "g.updated_at",
    ]);
}

type ListingRow = Awaited<ReturnType<ReturnType<typeof listing>["execute"]>>[number];

function toGrant(r: ListingRow): DelegatedPermissionGrant {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    clientServicePrincipalId: r.client_service_principal_id,
    clientAppId: r.client_app_id,
    clientDisplayName: r.client_display_name,
    resourceApplicationId: r.resource_application_id,
    resourceAppId: r.resource_app_id,
    resourceDisplayName: r.resource_display_name,
    consentType: r.consent_type,
    principalId: r.principal_id,
    groupIds: r.group_ids,
    scopes: r.scopes,
    expiresAt: r.expires_at === null ? null : new Date(r.expires_at),
    grantedBy: r.granted_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function selectGrants(
  db: Kysely<IdentityDB>,
  tenantId: string,
  filter: { clientServicePrincipalId?: string; principalId?: string; id?: string } = {},
): Promise<DelegatedPermissionGrant[]> {
  let query = listing(db).where("g.tenant_id", "=", tenantId);
  if (filter.clientServicePrincipalId)
    query = query.where("g.client_service_principal_id", "=", filter.clientServicePrincipalId);
  if (filter.principalId) query = query.where("g.principal_id", "=", filter.principalId);
  if (filter.id) query = query.where("g.id", "=", filter.id);
  const rows = await query.orderBy("c.display_name").orderBy("g.created_at").execute();
  return rows.map(toGrant);
}

/**
 * The client's grants that can apply to the user: tenant-wide, the user's own, and group
 * grants (whether the user is in the groups is the decision's business).
 */
export async function selectGrantsForUser(
  db: Kysely<IdentityDB>,
  tenantId: string,
  clientServicePrincipalId: string,
  userId: string,
): Promise<DelegatedPermissionGrant[]> {
  const rows = await listing(db)
    .where("g.tenant_id", "=", tenantId)
    .where("g.client_service_principal_id", "=", clientServicePrincipalId)
    .where((eb) =>
      eb.or([eb("g.consent_type", "<>", "Principal"), eb("g.principal_id", "=", userId)]),
    )
    .execute();
  return rows.map(toGrant);
}

/** Inserts the grant unless one with the same key exists; the new id, or undefined. */
export async function insertGrantIfAbsent(
  db: Kysely<IdentityDB>,
  key: GrantKey,
  terms: { scopes: string[]; expiresAt: Date | null; grantedBy: unknown },
): Promise<string | undefined> {
  const row = await db
    .insertInto("identity.oauth2_permission_grants")
    .values({
      tenant_id: key.tenantId,
      client_service_principal_id: key.clientServicePrincipalId,
      resource_application_id: key.resourceApplicationId,
      consent_type: key.consentType,
      principal_id: key.principalId,
      group_ids: JSON.stringify(key.groupIds),
      scopes: JSON.stringify(terms.scopes),
      expires_at: terms.expiresAt,
      granted_by: JSON.stringify(terms.grantedBy),
    })
    .onConflict((oc) => oc.doNothing())
    .returning("id")
    .executeTakeFirst();
  return row?.id;
}

/** The grant with this key, locked for update (inside a transaction). */
export async function selectGrantForUpdate(
  db: Kysely<IdentityDB>,
  key: GrantKey,
): Promise<{ id: string; scopes: string[]; expiresAt: Date | null } | undefined> {
  let query = db
    .selectFrom("identity.oauth2_permission_grants")
    .select(["id", "scopes", "expires_at"])
    .where("tenant_id", "=", key.tenantId)
    .where("client_service_principal_id", "=", key.clientServicePrincipalId)
    .where("resource_application_id", "=", key.resourceApplicationId)
    .where("consent_type", "=", key.consentType)
    .where(sql<boolean>`group_ids = ${JSON.stringify(key.groupIds)}::jsonb`);
  query =
    key.principalId === null
      ? query.where("principal_id", "is", null)
      : query.where("principal_id", "=", key.principalId);
  const row = await query.forUpdate().executeTakeFirst();
  return row
    ? {
        id: row.id,
        scopes: row.scopes,
        expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
      }
    : undefined;
}

export async function lockGrantById(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
): Promise<{ id: string; scopes: string[] } | undefined> {
  return db
    .selectFrom("identity.oauth2_permission_grants")
    .select(["id", "scopes"])
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateGrantTerms(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
  terms: { scopes: string[]; expiresAt?: Date | null; grantedBy?: unknown },
): Promise<void> {
  await db
    .updateTable("identity.oauth2_permission_grants")
    .set({
      scopes: JSON.stringify(terms.scopes),
      ...(terms.expiresAt !== undefined ? { expires_at: terms.expiresAt } : {}),
      ...(terms.grantedBy !== undefined ? { granted_by: JSON.stringify(terms.grantedBy) } : {}),
      updated_at: new Date(),
    })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .execute();
}

export async function deleteGrant(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
): Promise<void> {
  await db
    .deleteFrom("identity.oauth2_permission_grants")
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .execute();
}
