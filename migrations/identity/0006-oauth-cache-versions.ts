import { type Kysely, sql } from "kysely";

/**
 * Version counters for the per-node OAuth caches (src/identity/oauth/provider/catalog.ts).
 * Every node checks them with the one query that resolves a request's tenant, so a change
 * committed before a request arrives is seen by that request on every node, whichever code (or
 * hand-written SQL) made it: the database bumps the counters itself, in triggers.
 *
 * Scopes:
 * - `tenant:<id>`: the tenant's service principals and app role assignments, and the app
 *   registrations it publishes (applications, secrets, exposed scopes and roles, required
 *   permissions);
 * - `applications`: the same for multi-tenant applications (seen from every tenant, like the
 *   built-in Assent Mail), bumped when the application is or was multi-tenant;
 * - `users:<id>`: the tenant's users (kept apart, so a directory sync touching users all day
 *   does not empty the app registration caches);
 * - `keys:<id>`: the tenant's signing keys (its oidc-provider instance is rebuilt).
 *
 * The triggers are deferred to commit: a counter row is locked for the moment of the commit
 * only, after every other lock the transaction takes (so no deadlock with the audit chain's
 * advisory lock or with row locks, whatever order a transaction takes those in), and a reader
 * that sees the new counter also sees the change.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table identity.oauth_cache_versions (
      scope text primary key,
      version bigint not null default 0
    );

    -- Once per scope and transaction, however many rows it changed (a transaction-local
    -- setting remembers which scopes it bumped): readers only need "something changed".
    create function identity.bump_oauth_cache_version(target text) returns void
    language plpgsql as $$
    declare
      flag text := 'assent.oauth_cache_' || md5(target);
    begin
      if current_setting(flag, true) is distinct from 'bumped' then
        perform set_config(flag, 'bumped', true);
        insert into identity.oauth_cache_versions as v (scope, version) values (target, 1)
        on conflict (scope) do update set version = v.version + 1;
      end if;
    end
    $$;

    -- Arguments: the column holding the tenant id; the scope prefix; for app registration
    -- tables, the column holding the application id ('self' for identity.applications).
    create function identity.oauth_cache_changed() returns trigger
    language plpgsql as $$
    declare
      tenant_column text := tg_argv[0];
      prefix text := tg_argv[1];
      application_column text := tg_argv[2];
      changed jsonb[] := array[]::jsonb[];
      tenants text[] := array[]::text[];
      item jsonb;
      tenant text;
      everywhere boolean := false;
    begin
      if tg_op in ('UPDATE', 'DELETE') then changed := changed || to_jsonb(old); end if;
      if tg_op in ('UPDATE', 'INSERT') then changed := changed || to_jsonb(new); end if;
      foreach item in array changed loop
        tenant := item ->> tenant_column;
        if not tenant = any(tenants) then tenants := tenants || tenant; end if;
        if application_column = 'self' then
          everywhere := everywhere or item ->> 'sign_in_audience' <> 'AzureADMyOrg';
        elsif application_column is not null then
          -- A row of a deleted application (cascade) counts as multi-tenant: the safe side.
          everywhere := everywhere or coalesce((
            select a.sign_in_audience <> 'AzureADMyOrg' from identity.applications a
            where a.id = (item ->> application_column)::uuid), true);
        end if;
      end loop;
      foreach tenant in array tenants loop
        perform identity.bump_oauth_cache_version(prefix || tenant);
      end loop;
      if everywhere then perform identity.bump_oauth_cache_version('applications'); end if;
      return null;
    end
    $$;
  `.execute(db);

  const watched: Array<[table: string, tenantColumn: string, prefix: string, app: string | null]> =
    [
      ["applications", "tenant_id", "tenant:", "self"],
      ["application_secrets", "tenant_id", "tenant:", "application_id"],
      ["application_scopes", "tenant_id", "tenant:", "application_id"],
      ["application_roles", "tenant_id", "tenant:", "application_id"],
      ["application_required_permissions", "tenant_id", "tenant:", "application_id"],
      ["service_principals", "tenant_id", "tenant:", null],
      ["app_role_assignments", "tenant_id", "tenant:", null],
      ["users", "tenant_id", "users:", null],
      ["signing_keys", "tenant_id", "keys:", null],
    ];
  for (const [table, tenantColumn, prefix, app] of watched) {
    const args = [tenantColumn, prefix, ...(app ? [app] : [])].map((a) => sql.lit(a));
    await sql`
      create constraint trigger ${sql.id(`${table}_oauth_cache`)}
      after insert or update or delete on ${sql.id("identity", table)}
      deferrable initially deferred
      for each row execute function identity.oauth_cache_changed(${sql.join(args)})`.execute(db);
  }
}
