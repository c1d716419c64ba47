import { type Kysely, sql } from "kysely";

/**
 * What the admin REST API's directory, application and policy operations need:
 *
 * 1. Five more permissions on Assent Admin API (beside migration 0007's six), split as Graph
 *    splits them, so automation can be given exactly what it does: role management, app role
 *    assignments, delegated permission grants, and reading or changing the authorization
 *    policy (user consent settings). Each exists as a delegated permission (admin consent
 *    required) and an application permission.
 * 2. App role assignments follow their principal: `principal_id` names a user, a group or a
 *    service principal (no foreign key can say which), so deleting one of those deletes its
 *    assignments in the same statement, as a foreign key's cascade would. The OAuth cache
 *    triggers on app_role_assignments fire for those rows too.
 *
 * Fixed ids (copied here, as migrations never import application code): the same on every
 * installation; src/identity/apps/admin-resource.ts holds the same values.
 */
const SYSTEM_TENANT_ID = "8e6c1ec5-c7e6-4907-9a3d-afac4377f6de";
const ADMIN_OBJECT_ID = "3d8ec3de-42e3-42b4-a63d-04d0f7da1081";

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
    value: "RoleManagement.ReadWrite.Directory",
    scopeId: "3208ca23-26bb-44f3-9f2d-06a003014051",
    roleId: "3a4e9433-d83e-463a-b208-d6080b3012c7",
    delegated: [
      "Read and write directory RBAC settings",
      "Allows the app to read and manage the role assignments of your directory, on behalf of the signed-in user. This includes assigning Global Administrator.",
    ],
    application: [
      "Read and write all directory RBAC settings",
      "Allows the app to read and manage the role assignments of your directory, without a signed-in user. This includes assigning Global Administrator.",
    ],
  },
  {
    value: "AppRoleAssignment.ReadWrite.All",
    scopeId: "b23b6944-d750-4810-9179-bbc1857f08a6",
    roleId: "0eeaee42-c06a-4f25-ba34-982d93ddab71",
    delegated: [
      "Manage app permission grants and app role assignments",
      "Allows the app to assign users and groups to applications and remove them, on behalf of the signed-in user.",
    ],
    application: [
      "Manage app permission grants and app role assignments",
      "Allows the app to assign users and groups to applications and remove them, without a signed-in user.",
    ],
  },
  {
    value: "DelegatedPermissionGrant.ReadWrite.All",
    scopeId: "61d55380-f314-46a4-bbd0-4f3d30d3ac1f",
    roleId: "a4ca4e0e-6970-445d-a1b9-401c0c6c6e53",
    delegated: [
      "Manage all delegated permission grants",
      "Allows the app to read and revoke the delegated permissions granted to applications, on behalf of the signed-in user.",
    ],
    application: [
      "Manage all delegated permission grants",
      "Allows the app to read and revoke the delegated permissions granted to applications, without a signed-in user.",
    ],
  },
  {
    value: "Policy.Read.All",
    scopeId: "aa157fc6-4500-4b35-ab7d-45dd4407cbdc",
    roleId: "c7f2400a-b517-4038-a2f4-d46ed52e87d0",
    delegated: [
      "Read your organization's policies",
      "Allows the app to read your organization's policies, such as user consent settings, permission classifications and permission grant policies, on behalf of the signed-in user.",
    ],
    application: [
      "Read your organization's policies",
      "Allows the app to read your organization's policies, such as user consent settings, permission classifications and permission grant policies, without a signed-in user.",
    ],
  },
  {
    value: "Policy.ReadWrite.Authorization",
    scopeId: "7590f3d2-d306-4fe5-9e2a-e1d603141e87",
    roleId: "21210bb6-f0f3-4dee-9aad-6d174df722a6",
    delegated: [
      "Read and write your organization's authorization policy",
      "Allows the app to read and change your organization's authorization policy, such as whether users may consent to apps, on behalf of the signed-in user.",
    ],
    application: [
      "Read and write your organization's authorization policy",
      "Allows the app to read and change your organization's authorization policy, such as whether users may consent to apps, without a signed-in user.",
    ],
  },
];

export async function up(db: Kysely<any>): Promise<void> {
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
  await sql`
    -- Argument: the principal_type of the deleted row's assignments.
    create function identity.delete_app_role_assignments_of_principal() returns trigger
    language plpgsql as $$
    begin
      delete from identity.app_role_assignments
      where tenant_id = old.tenant_id and principal_type = tg_argv[0] and principal_id = old.id;
      return null;
    end
    $$;
  `.execute(db);
  const principals: Array<[table: string, type: string]> = [
    ["users", "User"],
    ["groups", "Group"],
    ["service_principals", "ServicePrincipal"],
  ];
  for (const [table, type] of principals) {
    await sql`
      create trigger ${sql.id(`${table}_app_role_assignments`)}
      after delete on ${sql.id("identity", table)}
      for each row execute function identity.delete_app_role_assignments_of_principal(${sql.lit(type)})`.execute(
      db,
    );
  }
}
