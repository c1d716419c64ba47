import { type Kysely, sql } from "kysely";

/**
 * Version triggers (migration 0006's `identity.oauth_cache_changed`) on what the consent
 * decision reads, so the per-node OAuth caches can hold it and still see a change on the next
 * request, on every node, whoever made it:
 *
 * - `tenant:<id>`: consent settings, permission grant policies and permission classifications
 *   (tenant configuration, changed by administrators, like the app registrations on that counter);
 * - `users:<id>`: group memberships and directory role assignments (the directory, like users);
 * - `grants:<id>`, a new counter: delegated permission grants, which change whenever a user
 *   consents, kept apart so a consent empties neither the app registration nor the user caches.
 *
 * Deferred to commit and bumped once per scope and transaction, as in 0006; rows removed by a
 * cascade (a user, a group, a service principal or a tenant deleted) fire the triggers too.
 *
 * Every protocol request reads its tenant with these counters
 * (src/identity/oauth/provider/cache-versions.ts). As one statement with a subquery per counter,
 * PostgreSQL plans it again on every execution, which costs it several times what running it
 * does; `identity.tenant_with_cache_versions` runs the same statement from PL/pgSQL, which
 * keeps its plan for the session (the connection), so each request pays for the run only.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const watched: Array<[table: string, prefix: string]> = [
    ["consent_settings", "tenant:"],
    ["permission_grant_policies", "tenant:"],
    ["permission_classifications", "tenant:"],
    ["group_members", "users:"],
    ["directory_role_assignments", "users:"],
    ["oauth2_permission_grants", "grants:"],
  ];
  await sql`
    -- The tenant a URL names (by id, slug or verified domain: give one, the others null) and
    -- its cache versions, read in one statement so the versions are as old as the tenant row.
    create function identity.tenant_with_cache_versions(by_id uuid, by_slug text, by_domain text)
    returns table (id uuid, slug text, display_name text, is_system boolean, enabled boolean,
      created_at timestamptz, updated_at timestamptz, tenant_version bigint,
      catalog_version bigint, users_version bigint, keys_version bigint, grants_version bigint)
    language plpgsql stable as $$
    begin
      return query
      select t.id, t.slug, t.display_name, t.is_system, t.enabled, t.created_at, t.updated_at,
        coalesce((select v.version from identity.oauth_cache_versions v
          where v.scope = 'tenant:' || t.id), 0),
        coalesce((select v.version from identity.oauth_cache_versions v
          where v.scope = 'applications'), 0),
        coalesce((select v.version from identity.oauth_cache_versions v
          where v.scope = 'users:' || t.id), 0),
        coalesce((select v.version from identity.oauth_cache_versions v
          where v.scope = 'keys:' || t.id), 0),
        coalesce((select v.version from identity.oauth_cache_versions v
          where v.scope = 'grants:' || t.id), 0)
      from identity.tenants t
      where t.id = coalesce(by_id,
        (select s.id from identity.tenants s where s.slug = by_slug),
        (select d.tenant_id from identity.tenant_domains d where d.domain = by_domain));
    end
    $$;
  `.execute(db);

  for (const [table, prefix] of watched) {
    await sql`
      create constraint trigger ${sql.id(`${table}_oauth_cache`)}
      after insert or update or delete on ${sql.id("identity", table)}
      deferrable initially deferred
      for each row execute function identity.oauth_cache_changed(${sql.join([
        sql.lit("tenant_id"),
        sql.lit(prefix),
      ])})`.execute(db);
  }
}
