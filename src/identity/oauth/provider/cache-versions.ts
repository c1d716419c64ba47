import { CompiledQuery, type Kysely, type RawBuilder, sql } from "kysely";
import { databaseKindOf, preparedTag } from "../../../platform/db/index.ts";
import type { IdentityDB } from "../../db.ts";
import type { Tenant } from "../../directory/index.ts";
import { deepFreeze } from "./freeze.ts";

/**
 * The counters the database bumps (migrations 0006 and 0010, in triggers) when something a node
 * caches for a tenant changes: `tenant` (its app registrations, secrets, service principals, app
 * role assignments, consent settings, permission grant policies and classifications), `catalog`
 * (multi-tenant applications, seen from every tenant), `users` (its users, group memberships
 * and directory roles), `keys` (its signing keys) and `grants` (its delegated permission
 * grants). Read with the tenant on every protocol request, so a change committed before the
 * request is seen by it on every node: "the next request", not "within the hour".
 */
export interface CacheVersions {
  tenant: number;
  catalog: number;
  users: number;
  keys: number;
  grants: number;
}

/** True when `a` is newer than `b` in any counter (counters only grow). */
export function isNewer(a: CacheVersions, b: CacheVersions): boolean {
  return (
    a.tenant > b.tenant ||
    a.catalog > b.catalog ||
    a.users > b.users ||
    a.keys > b.keys ||
    a.grants > b.grants
  );
}

export function latest(a: CacheVersions, b: CacheVersions): CacheVersions {
  return {
    tenant: Math.max(a.tenant, b.tenant),
    catalog: Math.max(a.catalog, b.catalog),
    users: Math.max(a.users, b.users),
    keys: Math.max(a.keys, b.keys),
    grants: Math.max(a.grants, b.grants),
  };
}

// The versions a tenant object was read with (by selectTenantWithVersions), kept on the object
// as a non-enumerable symbol property: not copied by a spread, not serialised.
const VERSIONS = Symbol("assent.cacheVersions");

/** The cache versions read together with this tenant, if it came from lookupTenant. */
export function versionsReadWith(tenant: Tenant): CacheVersions | undefined {
  return (tenant as Tenant & { [VERSIONS]?: CacheVersions })[VERSIONS];
}

interface Row {
  id: string;
  slug: string;
  display_name: string;
  is_system: boolean;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
  tenant_version: number | string | null;
  catalog_version: number | string | null;
  users_version: number | string | null;
  keys_version: number | string | null;
  grants_version: number | string | null;
}

const versionOf = (scope: RawBuilder<string>) =>
  sql`coalesce((select version from identity.oauth_cache_versions where scope = ${scope}), 0)`;

// The statement of identity.tenant_with_cache_versions (migration 0010), as a named prepared
// statement: PostgreSQL plans it once per connection and then only runs it, which costs it a
// third of the function call (measured: 33 against 100 µs of server CPU per read).
const TENANT_WITH_VERSIONS_TEXT = `${preparedTag("assent_tenant_with_cache_versions")}
  select t.id, t.slug, t.display_name, t.is_system, t.enabled, t.created_at, t.updated_at,
    coalesce((select v.version from identity.oauth_cache_versions v
      where v.scope = 'tenant:' || t.id), 0) as tenant_version,
    coalesce((select v.version from identity.oauth_cache_versions v
      where v.scope = 'applications'), 0) as catalog_version,
    coalesce((select v.version from identity.oauth_cache_versions v
      where v.scope = 'users:' || t.id), 0) as users_version,
    coalesce((select v.version from identity.oauth_cache_versions v
      where v.scope = 'keys:' || t.id), 0) as keys_version,
    coalesce((select v.version from identity.oauth_cache_versions v
      where v.scope = 'grants:' || t.id), 0) as grants_version
  from identity.tenants t
  where t.id = coalesce($1::uuid,
    (select s.id from identity.tenants s where s.slug = $2::text),
    (select d.tenant_id from identity.tenant_domains d where d.domain = $3::text))`;

/**
 * One round trip: the tenant a URL names (by id, slug or verified domain) and its cache
 * versions. The versions are read in the same statement as the tenant, before anything the
 * caches load, so whatever is loaded afterwards is at least as new as the versions say.
 * Planned on every request, the statement would cost more than it takes to run: on PostgreSQL
 * it is a named prepared statement (planned once per connection); elsewhere (PGlite, or a
 * handle whose database is unknown) it runs inside `identity.tenant_with_cache_versions`,
 * whose plan is kept per connection too. The tenant (dates included) and its versions are
 * frozen: coalesced requests share them (see lookupTenant), so one request's change must not
 * reach the others.
 */
export async function selectTenantWithVersions(
  db: Kysely<IdentityDB>,
  by: { id: string } | { slug: string } | { domain: string },
): Promise<Tenant | undefined> {
  const id = "id" in by ? by.id : null;
  const slug = "slug" in by ? by.slug : null;
  const domain = "domain" in by ? by.domain : null;
  const result =
    databaseKindOf(db) === "postgres"
      ? await db.executeQuery<Row>(CompiledQuery.raw(TENANT_WITH_VERSIONS_TEXT, [id, slug, domain]))
      : await sql<Row>`
    select * from identity.tenant_with_cache_versions(${id}::uuid, ${slug}::text, ${domain}::text)`.execute(
          db,
        );
  const row = result.rows[0];
  if (!row) return undefined;
  const tenant: Tenant = {
    id: row.id,
    slug: row.slug,
    displayName: row.display_name,
    isSystem: row.is_system,
    enabled: row.enabled,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
  Object.defineProperty(tenant, VERSIONS, {
    value: Object.freeze({
      tenant: Number(row.tenant_version),
      catalog: Number(row.catalog_version),
      users: Number(row.users_version),
      keys: Number(row.keys_version),
      grants: Number(row.grants_version),
    }),
  });
  return deepFreeze(tenant);
}

/** The tenant's cache versions now (for a tenant object that did not come with them). */
export async function selectCacheVersions(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<CacheVersions> {
  const result = await sql<
    Pick<
      Row,
      "tenant_version" | "catalog_version" | "users_version" | "keys_version" | "grants_version"
    >
  >`
    select ${versionOf(sql`${`tenant:${tenantId}`}`)} as tenant_version,
      ${versionOf(sql`'applications'`)} as catalog_version,
      ${versionOf(sql`${`users:${tenantId}`}`)} as users_version,
      ${versionOf(sql`${`keys:${tenantId}`}`)} as keys_version,
      ${versionOf(sql`${`grants:${tenantId}`}`)} as grants_version`.execute(db);
  const row = result.rows[0];
  return {
    tenant: Number(row?.tenant_version ?? 0),
    catalog: Number(row?.catalog_version ?? 0),
    users: Number(row?.users_version ?? 0),
    keys: Number(row?.keys_version ?? 0),
    grants: Number(row?.grants_version ?? 0),
  };
}
