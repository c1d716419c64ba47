import { type Kysely, sql } from "kysely";

/**
 * The built-in resource Assent Admin API (`api://assent-admin`) in the system tenant, beside
 * Assent Mail: what admin REST API tokens are issued for. Multi-tenant, so every tenant can
 * consent to it; every delegated permission needs admin consent (they read or change the whole
 * directory), and each also exists as an application permission for automation.
 *
 * Fixed ids (copied here, as migrations never import application code): the same object on
 * every installation; src/identity/apps/admin-resource.ts holds the same values.
 */
const SYSTEM_TENANT_ID = "8e6c1ec5-c7e6-4907-9a3d-afac4377f6de";
const ADMIN_OBJECT_ID = "3d8ec3de-42e3-42b4-a63d-04d0f7da1081";
const ADMIN_APP_ID = "00000003-0000-0000-c000-0000000ad000";

interface SeedPermission {
  value: string;
  scopeId: string;
  roleId: string;
  /** [admin consent display name, description] of the delegated permission. */
  delegated: [string, string];
  /** [display name, description] of the application permission. */
  application: [string, string];
}

// Wording follows Microsoft Graph's permission reference, so administrators see familiar text.
const PERMISSIONS: SeedPermission[] = [
  {
    value: "AuditLog.Read.All",
    scopeId: "5deb7268-3b7c-4152-bd3a-797b954a50a8",
    roleId: "3a42d8ae-4453-412f-9bcc-65ff9384a576",
    delegated: [
      "Read audit log data",
      "Allows the app to read and query your audit log activities and sign-in logs, on behalf of the signed-in user.",
    ],
    application: [
      "Read all audit log data",
      "Allows the app to read and query your audit log activities and sign-in logs, without a signed-in user.",
    ],
  },
  {
    value: "Directory.Read.All",
    scopeId: "c5db71ec-9d73-4d1e-9366-9867f49594c9",
    roleId: "507533bb-7be0-4bd9-b926-61cdd979298f",
    delegated: [
      "Read directory data",
      "Allows the app to read data in your organization's directory, such as users, groups and apps.",
    ],
    application: [
      "Read directory data",
      "Allows the app to read data in your organization's directory, such as users, groups and apps, without a signed-in user.",
    ],
  },
  {
    value: "Directory.ReadWrite.All",
    scopeId: "fb74a3c2-acc2-4f19-825d-ceb9127d905b",
    roleId: "5e9e4ec8-d577-47cb-a25d-b909bb4e7a56",
    delegated: [
      "Read and write directory data",
      "Allows the app to read and write data in your organization's directory, such as users and groups.",
    ],
    application: [
      "Read and write directory data",
      "Allows the app to read and write data in your organization's directory, such as users and groups, without a signed-in user.",
    ],
  },
  {
    value: "Application.ReadWrite.All",
    scopeId: "076f422e-8251-4f0c-ba8f-b0b9d227dc68",
    roleId: "732215fb-e16f-47a4-b2ca-09fed133bb98",
    delegated: [
      "Read and write all applications",
      "Allows the app to create, read, update and delete applications and service principals on behalf of the signed-in user.",
    ],
    application: [
      "Read and write all applications",
      "Allows the app to create, read, update and delete applications and service principals without a signed-in user.",
    ],
  },
  {
    value: "ConsentRequest.ReadWrite.All",
    scopeId: "59d9a7d8-0567-45da-bd0d-abc771d4c35f",
    roleId: "f576bafd-07b5-4611-b50d-6c56eedb9a3e",
    delegated: [
      "Read and write consent requests",
      "Allows the app to read and approve or deny consent requests on behalf of the signed-in user.",
    ],
    application: [
      "Read and write all consent requests",
      "Allows the app to read and approve or deny consent requests without a signed-in user.",
    ],
  },
  {
    value: "Policy.ReadWrite.PermissionGrant",
    scopeId: "a1c90c54-2ea5-4ab6-831e-f8353b07dcbc",
    roleId: "c744d996-d6d4-40cf-a0f8-7b702724d1fb",
    delegated: [
      "Manage consent and permission grant policies",
      "Allows the app to manage policies related to consent and permission grants for applications, on behalf of the signed-in user.",
    ],
    application: [
      "Manage consent and permission grant policies",
      "Allows the app to manage policies related to consent and permission grants for applications, without a signed-in user.",
    ],
  },
];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    insert into identity.applications (id, app_id, tenant_id, display_name, sign_in_audience,
      publisher_display_name, publisher_verified, identifier_uris)
    values (${ADMIN_OBJECT_ID}, ${ADMIN_APP_ID}, ${SYSTEM_TENANT_ID}, 'Assent Admin API',
      'AzureADMultipleOrgs', 'Assent', true, '["api://assent-admin"]')`.execute(db);
  for (const p of PERMISSIONS) {
    await sql`
      insert into identity.application_scopes (id, tenant_id, application_id, value,
        admin_consent_display_name, admin_consent_description, admin_consent_required)
      values (${p.scopeId}, ${SYSTEM_TENANT_ID}, ${ADMIN_OBJECT_ID}, ${p.value},
        ${p.delegated[0]}, ${p.delegated[1]}, true)`.execute(db);
    await sql`
      insert into identity.application_roles (id, tenant_id, application_id, value, display_name,
        description, allowed_member_types)
      values (${p.roleId}, ${SYSTEM_TENANT_ID}, ${ADMIN_OBJECT_ID}, ${p.value},
        ${p.application[0]}, ${p.application[1]}, '["Application"]')`.execute(db);
  }
}
