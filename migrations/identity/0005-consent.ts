import { type Kysely, sql } from "kysely";

/**
 * Consent governance: per-tenant consent settings, permission classifications, custom
 * permission grant policies, delegated permission grants (Entra oAuth2PermissionGrant), and the
 * `blocked` flag of service principals (set by the admin consent workflow).
 *
 * Defaults live in code, not in rows: a tenant without a `consent_settings` row has user consent
 * "verified publishers, low impact" and the workflow off, and the minimum sign-in scopes are
 * classified low unless a tenant row says otherwise, so a new tenant needs no seeding.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table identity.consent_settings (
      tenant_id uuid primary key references identity.tenants(id) on delete cascade,
      -- The three Entra options: "Do not allow user consent", "Allow user consent for apps from
      -- verified publishers, for selected permissions", "Allow user consent for apps".
      user_consent text not null default 'verified_publishers_low_impact'
        constraint consent_settings_user_consent_check
        check (user_consent in ('disabled', 'verified_publishers_low_impact', 'all_apps')),
      -- "Users can request admin consent to apps they are unable to consent to".
      admin_consent_workflow_enabled boolean not null default false,
      updated_at timestamptz not null default now()
    );

    -- Delegated permission classifications (Entra "Permission classifications"), per tenant.
    create table identity.permission_classifications (
      tenant_id uuid not null references identity.tenants(id) on delete cascade,
      resource_application_id uuid not null references identity.applications(id) on delete cascade,
      scope_value text not null,
      classification text not null constraint permission_classifications_classification_check
        check (classification in ('low', 'medium', 'high')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (tenant_id, resource_application_id, scope_value)
    );

    -- A tenant's own permission grant policies (Entra "app consent policies"); the built-in ones
    -- are code. Ids follow Entra's rule (letters, digits, "-", "_"); built-in prefixes are reserved.
    create table identity.permission_grant_policies (
      tenant_id uuid not null references identity.tenants(id) on delete cascade,
      id text not null constraint permission_grant_policies_id_check
        check (id ~ '^[A-Za-z0-9_-]{1,64}$' and id !~* '^(assent|microsoft)-'),
      display_name text not null constraint permission_grant_policies_display_name_check
        check (length(display_name) between 1 and 256),
      description text,
      includes jsonb not null default '[]'
        constraint permission_grant_policies_includes_check check (jsonb_typeof(includes) = 'array'),
      excludes jsonb not null default '[]'
        constraint permission_grant_policies_excludes_check check (jsonb_typeof(excludes) = 'array'),
      -- Entra: managePermissionGrantsForSelf.{id} in the default user role's assigned policies.
      assigned_to_users boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (tenant_id, id)
    );

    -- Delegated permission grants (Entra oAuth2PermissionGrant), plus Assent's extensions: a
    -- grant to listed groups ("Groups") and an optional expiry on any grant.
    create table identity.oauth2_permission_grants (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references identity.tenants(id) on delete cascade,
      client_service_principal_id uuid not null
        references identity.service_principals(id) on delete cascade,
      resource_application_id uuid not null references identity.applications(id) on delete cascade,
      consent_type text not null constraint oauth2_permission_grants_consent_type_check
        check (consent_type in ('AllPrincipals', 'Principal', 'Groups')),
      principal_id uuid references identity.users(id) on delete cascade,
      -- Sorted, so one set of groups is one grant.
      group_ids jsonb not null default '[]'
        constraint oauth2_permission_grants_group_ids_check check (jsonb_typeof(group_ids) = 'array'),
      scopes jsonb not null default '[]'
        constraint oauth2_permission_grants_scopes_check check (jsonb_typeof(scopes) = 'array'),
      expires_at timestamptz,
      granted_by jsonb not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint oauth2_permission_grants_principal_check check (
        (consent_type = 'Principal') = (principal_id is not null)
        and (consent_type = 'Groups') = (jsonb_array_length(group_ids) > 0)
      )
    );
    -- One grant per client, resource and principal (or group set): grants merge, never pile up.
    create unique index oauth2_permission_grants_key on identity.oauth2_permission_grants (
      tenant_id, client_service_principal_id, resource_application_id, consent_type,
      coalesce(principal_id, '00000000-0000-0000-0000-000000000000'::uuid), group_ids
    );
    -- "My apps" lists a user's own grants.
    create index oauth2_permission_grants_principal_idx
      on identity.oauth2_permission_grants (tenant_id, principal_id) where principal_id is not null;

    -- Blocked by a reviewer of the admin consent workflow: nobody may consent to or use the app.
    alter table identity.service_principals add column blocked boolean not null default false;
  `.execute(db);
}
