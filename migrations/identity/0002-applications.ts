import { type Kysely, sql } from "kysely";

/**
 * App registrations (applications), their secrets, exposed scopes and app roles, the
 * permissions they statically require, service principals (enterprise apps) and app role
 * assignments; then the system tenant and its built-in resource, Assent Mail.
 *
 * Naming: `*application_id` columns hold `applications.id` (the object id); `app_id` is the
 * client id the protocol uses. Child rows carry the publisher's `tenant_id` like every other
 * tenant-owned row.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table identity.applications (
      id uuid primary key default gen_random_uuid(),
      app_id uuid not null default gen_random_uuid() constraint applications_app_id_key unique,
      tenant_id uuid not null references identity.tenants(id) on delete cascade,
      display_name text not null constraint applications_display_name_check
        check (length(display_name) between 1 and 256),
      sign_in_audience text not null default 'AzureADMyOrg'
        constraint applications_sign_in_audience_check
        check (sign_in_audience in ('AzureADMyOrg', 'AzureADMultipleOrgs')),
      is_public_client boolean not null default false,
      redirect_uris jsonb not null default '[]'
        constraint applications_redirect_uris_check check (jsonb_typeof(redirect_uris) = 'array'),
      publisher_display_name text,
      publisher_verified boolean not null default false,
      homepage_url text,
      logo_url text,
      terms_url text,
      privacy_url text,
      identifier_uris jsonb not null default '[]'
        constraint applications_identifier_uris_check check (jsonb_typeof(identifier_uris) = 'array'),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index applications_tenant_idx on identity.applications (tenant_id);
    -- Resource lookup by Application ID URI (scope "api://assent-mail/Mail.Read").
    create index applications_identifier_uris_idx on identity.applications
      using gin (identifier_uris jsonb_path_ops);

    -- Only a hash is stored; the plaintext is shown once, when the secret is added.
    create table identity.application_secrets (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references identity.tenants(id) on delete cascade,
      application_id uuid not null references identity.applications(id) on delete cascade,
      display_name text not null default '',
      hint text not null,
      secret_hash text not null,
      expires_at timestamptz not null,
      created_at timestamptz not null default now()
    );
    create index application_secrets_application_idx on identity.application_secrets (application_id);

    -- Delegated permissions the application exposes (Entra oauth2PermissionScopes).
    create table identity.application_scopes (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references identity.tenants(id) on delete cascade,
      application_id uuid not null references identity.applications(id) on delete cascade,
      -- RFC 6749 section 3.3: a scope token has no spaces; "/" would make "{resource}/{value}" ambiguous.
      value text not null constraint application_scopes_value_check
        check (length(value) between 1 and 120 and value !~ '[[:space:]/"]'
          and strpos(value, chr(92)) = 0 and value not like '.%'),
      admin_consent_display_name text not null,
      admin_consent_description text not null,
      user_consent_display_name text,
      user_consent_description text,
      admin_consent_required boolean not null default true,
      enabled boolean not null default true,
      created_at timestamptz not null default now(),
      constraint application_scopes_app_value_key unique (application_id, value)
    );

    -- Application permissions and assignable roles (Entra appRoles).
    create table identity.application_roles (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references identity.tenants(id) on delete cascade,
      application_id uuid not null references identity.applications(id) on delete cascade,
      value text not null constraint application_roles_value_check
        check (length(value) between 1 and 120 and value !~ '[[:space:]/"]'
          and strpos(value, chr(92)) = 0 and value not like '.%'),
      display_name text not null,
      description text not null,
      allowed_member_types jsonb not null constraint application_roles_member_types_check
        check (jsonb_typeof(allowed_member_types) = 'array'
          and allowed_member_types <@ '["User", "Application"]'::jsonb
          and jsonb_array_length(allowed_member_types) > 0),
      enabled boolean not null default true,
      created_at timestamptz not null default now(),
      constraint application_roles_app_value_key unique (application_id, value)
    );

    -- Static permissions (Entra requiredResourceAccess): what "{resource}/.default" expands to.
    create table identity.application_required_permissions (
      tenant_id uuid not null references identity.tenants(id) on delete cascade,
      application_id uuid not null references identity.applications(id) on delete cascade,
      resource_application_id uuid not null references identity.applications(id) on delete cascade,
      permission_id uuid not null,
      type text not null constraint application_required_permissions_type_check
        check (type in ('Scope', 'Role')),
      created_at timestamptz not null default now(),
      primary key (application_id, resource_application_id, permission_id, type)
    );
    create index application_required_permissions_resource_idx
      on identity.application_required_permissions (resource_application_id);

    -- An application's instance in one tenant (Entra "enterprise app").
    create table identity.service_principals (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references identity.tenants(id) on delete cascade,
      application_id uuid not null references identity.applications(id) on delete cascade,
      account_enabled boolean not null default true,
      app_role_assignment_required boolean not null default false,
      visible_to_users boolean not null default true,
      -- Entra caps notes at 1,024 characters.
      notes text constraint service_principals_notes_check check (length(notes) <= 1024),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint service_principals_tenant_app_key unique (tenant_id, application_id)
    );
    create index service_principals_application_idx on identity.service_principals (application_id);

    -- Users, groups and service principals assigned to a resource service principal.
    -- app_role_id 00000000-0000-0000-0000-000000000000 is "default access" (no specific role).
    create table identity.app_role_assignments (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references identity.tenants(id) on delete cascade,
      resource_service_principal_id uuid not null
        references identity.service_principals(id) on delete cascade,
      principal_type text not null constraint app_role_assignments_principal_type_check
        check (principal_type in ('User', 'Group', 'ServicePrincipal')),
      principal_id uuid not null,
      app_role_id uuid not null,
      created_at timestamptz not null default now(),
      constraint app_role_assignments_key
        unique (resource_service_principal_id, principal_type, principal_id, app_role_id)
    );
    create index app_role_assignments_principal_idx
      on identity.app_role_assignments (tenant_id, principal_id);
  `.execute(db);
  await seedSystemTenant(db);
}

// Fixed ids, so the built-in resource is the same object on every installation: clients can
// hard-code the app id as they hard-code Microsoft Graph's, and scope ids stay stable in grants.
const SYSTEM_TENANT_ID = "8e6c1ec5-c7e6-4907-9a3d-afac4377f6de";
const MAIL_OBJECT_ID = "fa3e3f95-38a4-4eab-8992-f79515a0e18f";
const MAIL_APP_ID = "00000003-0000-0000-c000-00000000a55e";

interface SeedScope {
  id: string;
  value: string;
  admin: [string, string];
  user: [string, string];
}

// Wording follows Microsoft Graph's permission reference, so admins see familiar descriptions.
const MAIL_SCOPES: SeedScope[] = [
  {
    id: "41e7b82d-c8c4-4c58-a87e-8ddfc581c6ed",
    value: "User.Read",
    admin: [
      "Sign in and read user profile",
      "Allows users to sign in to the app, and allows the app to read the profile of signed-in users. It also allows the app to read basic company information of signed-in users.",
    ],
    user: [
      "Sign in and read your profile",
      "Allows you to sign in to the app with your organizational account and lets the app read your profile. It also allows the app to read basic company information.",
    ],
  },
  {
    id: "338c0695-2848-49cf-be2b-a5e4b9fa93f4",
    value: "Mail.ReadBasic",
    admin: [
      "Read user basic mail",
      "Allows the app to read email in the signed-in user's mailbox except the body, preview, attachments and any extended properties.",
    ],
    user: [
      "Read your basic mail",
      "Allows the app to read email in your mailbox except the body, preview, attachments and any extended properties.",
    ],
  },
  {
    id: "050da56c-fc18-46d0-8e3a-84fcf29e2cfb",
    value: "Mail.Read",
    admin: ["Read user mail", "Allows the app to read email in the signed-in user's mailbox."],
    user: ["Read your mail", "Allows the app to read email in your mailbox."],
  },
  {
    id: "5d8f00e4-6ffd-4ff9-a3e7-cebde9c021bf",
    value: "Mail.ReadWrite",
    admin: [
      "Read and write access to user mail",
      "Allows the app to create, read, update, and delete email in the signed-in user's mailbox. Does not include permission to send mail.",
    ],
    user: [
      "Read and write access to your mail",
      "Allows the app to read, update, create and delete email in your mailbox. Does not include permission to send mail.",
    ],
  },
  {
    id: "2dc0fc55-0546-4b12-afc1-643dee990d18",
    value: "Mail.Send",
    admin: ["Send mail as a user", "Allows the app to send mail as the signed-in user."],
    user: ["Send mail as you", "Allows the app to send mail as you."],
  },
  {
    id: "5b79026b-2d94-4e70-a4e7-a1bd32f73b3a",
    value: "openid",
    admin: [
      "Sign users in",
      "Allows users to sign in to the app with their work or school accounts and allows the app to see basic user profile information.",
    ],
    user: [
      "Sign in as you",
      "Allows you to sign in to the app with your work or school account and allows the app to read your basic profile information.",
    ],
  },
  {
    id: "da57eccc-0587-4079-846c-0b35c6678ff7",
    value: "profile",
    admin: [
      "View users' basic profile",
      "Allows the app to see your users' basic profile (name, user name and email address).",
    ],
    user: [
      "View your basic profile",
      "Allows the app to see your basic profile (name, user name and email address).",
    ],
  },
  {
    id: "e11f8b4a-dac4-49f1-a187-fce13041412a",
    value: "email",
    admin: [
      "View users' email address",
      "Allows the app to read your users' primary email address.",
    ],
    user: ["View your email address", "Allows the app to read your primary email address."],
  },
  {
    id: "193db5d9-1ee7-4f77-adfb-37b47d554bd2",
    value: "offline_access",
    admin: [
      "Maintain access to data you have given it access to",
      "Allows the app to see and update the data you gave it access to, even when users are not currently using the app. This does not give the app any additional permissions.",
    ],
    user: [
      "Maintain access to data you have given it access to",
      "Allows the app to see and update the data you gave it access to, even when you are not currently using the app. This does not give the app any additional permissions.",
    ],
  },
];

async function seedSystemTenant(db: Kysely<any>): Promise<void> {
  await sql`
    insert into identity.tenants (id, slug, display_name, is_system)
    values (${SYSTEM_TENANT_ID}, 'assent-system', 'Assent', true)`.execute(db);
  await sql`
    insert into identity.applications (id, app_id, tenant_id, display_name, sign_in_audience,
      publisher_display_name, publisher_verified, identifier_uris)
    values (${MAIL_OBJECT_ID}, ${MAIL_APP_ID}, ${SYSTEM_TENANT_ID}, 'Assent Mail',
      'AzureADMultipleOrgs', 'Assent', true, '["api://assent-mail"]')`.execute(db);
  for (const scope of MAIL_SCOPES) {
    // Entra marks all of these "User" (user-consentable); tenant policy decides who may consent.
    await sql`
      insert into identity.application_scopes (id, tenant_id, application_id, value,
        admin_consent_display_name, admin_consent_description,
        user_consent_display_name, user_consent_description, admin_consent_required)
      values (${scope.id}, ${SYSTEM_TENANT_ID}, ${MAIL_OBJECT_ID}, ${scope.value},
        ${scope.admin[0]}, ${scope.admin[1]}, ${scope.user[0]}, ${scope.user[1]}, false)`.execute(
      db,
    );
  }
  await sql`
    insert into identity.application_roles (id, tenant_id, application_id, value, display_name,
      description, allowed_member_types)
    values ('73a7085e-2460-4192-a450-b4c2ea506ad6', ${SYSTEM_TENANT_ID}, ${MAIL_OBJECT_ID},
      'Mail.Read.All', 'Read mail in all mailboxes',
      'Allows the app to read mail in all mailboxes without a signed-in user.',
      '["Application"]')`.execute(db);
}
