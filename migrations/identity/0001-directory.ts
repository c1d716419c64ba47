import { type Kysely, sql } from "kysely";

/** Tenants, verified domains, users, groups, directory roles, and the audit log. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table identity.tenants (
      id uuid primary key default gen_random_uuid(),
      slug text not null constraint tenants_slug_key unique
        constraint tenants_slug_check check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
      display_name text not null,
      -- The platform's own tenant, which publishes built-in resources such as Assent Mail.
      is_system boolean not null default false,
      enabled boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    -- A verified domain belongs to exactly one tenant: the primary key says so.
    create table identity.tenant_domains (
      domain text primary key constraint tenant_domains_domain_check check (domain = lower(domain)),
      tenant_id uuid not null references identity.tenants(id) on delete cascade,
      created_at timestamptz not null default now()
    );
    create index tenant_domains_tenant_idx on identity.tenant_domains (tenant_id);

    create table identity.users (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references identity.tenants(id) on delete cascade,
      -- Stored lower-cased: user principal names compare case-insensitively, as in Entra.
      user_principal_name text not null constraint users_upn_check check (user_principal_name = lower(user_principal_name)),
      display_name text not null,
      enabled boolean not null default true,
      password_hash text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint users_tenant_upn_key unique (tenant_id, user_principal_name)
    );

    create table identity.groups (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references identity.tenants(id) on delete cascade,
      display_name text not null,
      description text,
      created_at timestamptz not null default now(),
      constraint groups_tenant_name_key unique (tenant_id, display_name)
    );

    create table identity.group_members (
      tenant_id uuid not null references identity.tenants(id) on delete cascade,
      group_id uuid not null references identity.groups(id) on delete cascade,
      user_id uuid not null references identity.users(id) on delete cascade,
      created_at timestamptz not null default now(),
      primary key (group_id, user_id)
    );
    create index group_members_user_idx on identity.group_members (user_id);

    create table identity.directory_role_assignments (
      tenant_id uuid not null references identity.tenants(id) on delete cascade,
      user_id uuid not null references identity.users(id) on delete cascade,
      role text not null constraint directory_role_assignments_role_check check (role in (
        'global_administrator', 'privileged_role_administrator', 'cloud_application_administrator',
        'application_administrator', 'global_reader', 'reports_reader')),
      created_at timestamptz not null default now(),
      primary key (tenant_id, user_id, role)
    );

    -- Append-only, hash-chained per tenant (seq orders the chain).
    create table identity.audit_events (
      seq bigserial primary key,
      id uuid not null default gen_random_uuid() unique,
      tenant_id uuid not null,
      activity text not null,
      category text not null,
      result text not null default 'success',
      actor jsonb not null,
      targets jsonb not null default '[]',
      modified_properties jsonb not null default '[]',
      additional_details jsonb not null default '{}',
      correlation_id text,
      created_at timestamptz not null default now(),
      prev_hash text,
      hash text not null
    );
    create index audit_events_tenant_time_idx on identity.audit_events (tenant_id, created_at desc, seq desc);
  `.execute(db);
}
