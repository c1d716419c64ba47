import type { Kysely, Selectable } from "kysely";
import type { IdentityDB } from "../db.ts";
import type { TenantDomainsTable, TenantsTable } from "./tables.ts";
import type { Tenant, TenantDomain } from "./types.ts";

const TENANT_COLUMNS = [
  "id",
  "slug",
  "display_name",
  "is_system",
  "enabled",
  "created_at",
  "updated_at",
] as const;

function toTenant(row: Selectable<TenantsTable>): Tenant {
  return {
    id: row.id,
    slug: row.slug,
    displayName: row.display_name,
    isSystem: row.is_system,
    enabled: row.enabled,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toDomain(row: Selectable<TenantDomainsTable>): TenantDomain {
  return { domain: row.domain, tenantId: row.tenant_id, createdAt: row.created_at };
}

export async function insertTenant(
  db: Kysely<IdentityDB>,
  values: { slug: string; displayName: string },
): Promise<Tenant> {
  const row = await db
    .insertInto("identity.tenants")
    .values({ slug: values.slug, display_name: values.displayName })
    .returning(TENANT_COLUMNS)
    .executeTakeFirstOrThrow();
  return toTenant(row);
}

export async function selectTenants(db: Kysely<IdentityDB>): Promise<Tenant[]> {
  const rows = await db
    .selectFrom("identity.tenants")
    .select(TENANT_COLUMNS)
    .orderBy("slug")
    .execute();
  return rows.map(toTenant);
}

/** `id` must be uuid-shaped (the caller checks). */
export async function selectTenantById(
  db: Kysely<IdentityDB>,
  id: string,
): Promise<Tenant | undefined> {
  const row = await db
    .selectFrom("identity.tenants")
    .select(TENANT_COLUMNS)
    .where("id", "=", id)
    .executeTakeFirst();
  return row && toTenant(row);
}

export async function selectTenantBySlug(
  db: Kysely<IdentityDB>,
  slug: string,
): Promise<Tenant | undefined> {
  const row = await db
    .selectFrom("identity.tenants")
    .select(TENANT_COLUMNS)
    .where("slug", "=", slug)
    .executeTakeFirst();
  return row && toTenant(row);
}

/** `domain` is in stored (lower-case) form. */
export async function selectTenantByDomain(
  db: Kysely<IdentityDB>,
  domain: string,
): Promise<Tenant | undefined> {
  const row = await db
    .selectFrom("identity.tenant_domains as d")
    .innerJoin("identity.tenants as t", "t.id", "d.tenant_id")
    .select(TENANT_COLUMNS.map((c) => `t.${c}` as const))
    .where("d.domain", "=", domain)
    .executeTakeFirst();
  return row && toTenant(row);
}

/**
 * Claims `domain` for the tenant. The primary key on `domain` decides who wins: undefined means
 * it was already claimed (by this tenant or another), and nothing was written.
 */
export async function insertDomainIfFree(
  db: Kysely<IdentityDB>,
  tenantId: string,
  domain: string,
): Promise<TenantDomain | undefined> {
  const row = await db
    .insertInto("identity.tenant_domains")
    .values({ tenant_id: tenantId, domain })
    .onConflict((oc) => oc.column("domain").doNothing())
    .returning(["domain", "tenant_id", "created_at"])
    .executeTakeFirst();
  return row && toDomain(row);
}

export async function selectDomainOwner(
  db: Kysely<IdentityDB>,
  domain: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom("identity.tenant_domains")
    .select("tenant_id")
    .where("domain", "=", domain)
    .executeTakeFirst();
  return row?.tenant_id;
}

export async function selectDomains(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<TenantDomain[]> {
  const rows = await db
    .selectFrom("identity.tenant_domains")
    .select(["domain", "tenant_id", "created_at"])
    .where("tenant_id", "=", tenantId)
    .orderBy("domain")
    .execute();
  return rows.map(toDomain);
}
