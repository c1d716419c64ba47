import type { Kysely, Selectable } from "kysely";
import type { IdentityDB } from "../db.ts";
import type { ApplicationRolesTable, ApplicationScopesTable } from "./tables.ts";
import type { AppRole, AppRoleMemberType, ExposedScope, RequiredPermission } from "./types.ts";

const SCOPE_COLUMNS = [
  "id",
  "application_id",
  "value",
  "admin_consent_display_name",
  "admin_consent_description",
  "user_consent_display_name",
  "user_consent_description",
  "admin_consent_required",
  "enabled",
] as const;

function toScope(
  row: Pick<Selectable<ApplicationScopesTable>, (typeof SCOPE_COLUMNS)[number]>,
): ExposedScope {
  return {
    id: row.id,
    applicationId: row.application_id,
    value: row.value,
    adminConsentDisplayName: row.admin_consent_display_name,
    adminConsentDescription: row.admin_consent_description,
    userConsentDisplayName: row.user_consent_display_name,
    userConsentDescription: row.user_consent_description,
    adminConsentRequired: row.admin_consent_required,
    enabled: row.enabled,
  };
}

const ROLE_COLUMNS = [
  "id",
  "application_id",
  "value",
  "display_name",
  "description",
  "allowed_member_types",
  "enabled",
] as const;

function toRole(
  row: Pick<Selectable<ApplicationRolesTable>, (typeof ROLE_COLUMNS)[number]>,
): AppRole {
  return {
    id: row.id,
    applicationId: row.application_id,
    value: row.value,
    displayName: row.display_name,
    description: row.description,
    allowedMemberTypes: row.allowed_member_types,
    enabled: row.enabled,
  };
}

/** The delegated permissions an application exposes (public metadata of a resource). */
export async function selectScopes(
  db: Kysely<IdentityDB>,
  applicationId: string,
): Promise<ExposedScope[]> {
  const rows = await db
    .selectFrom("identity.application_scopes")
    .select(SCOPE_COLUMNS)
    .where("application_id", "=", applicationId)
    .orderBy("value")
    .execute();
  return rows.map(toScope);
}

/** The app roles an application defines (public metadata of a resource). */
export async function selectRoles(
  db: Kysely<IdentityDB>,
  applicationId: string,
): Promise<AppRole[]> {
  const rows = await db
    .selectFrom("identity.application_roles")
    .select(ROLE_COLUMNS)
    .where("application_id", "=", applicationId)
    .orderBy("value")
    .execute();
  return rows.map(toRole);
}

export async function insertScope(
  db: Kysely<IdentityDB>,
  values: Omit<ExposedScope, "id"> & { tenantId: string },
): Promise<ExposedScope> {
  const row = await db
    .insertInto("identity.application_scopes")
    .values({
      tenant_id: values.tenantId,
      application_id: values.applicationId,
      value: values.value,
      admin_consent_display_name: values.adminConsentDisplayName,
      admin_consent_description: values.adminConsentDescription,
      user_consent_display_name: values.userConsentDisplayName,
      user_consent_description: values.userConsentDescription,
      admin_consent_required: values.adminConsentRequired,
      enabled: values.enabled,
    })
    .returning(SCOPE_COLUMNS)
    .executeTakeFirstOrThrow();
  return toScope(row);
}

export async function insertRole(
  db: Kysely<IdentityDB>,
  values: {
    tenantId: string;
    applicationId: string;
    value: string;
    displayName: string;
    description: string;
    allowedMemberTypes: AppRoleMemberType[];
    enabled: boolean;
  },
): Promise<AppRole> {
  const row = await db
    .insertInto("identity.application_roles")
    .values({
      tenant_id: values.tenantId,
      application_id: values.applicationId,
      value: values.value,
      display_name: values.displayName,
      description: values.description,
      allowed_member_types: JSON.stringify(values.allowedMemberTypes),
      enabled: values.enabled,
    })
    .returning(ROLE_COLUMNS)
    .executeTakeFirstOrThrow();
  return toRole(row);
}

/** Records a required permission; false when the application already required it. */
export async function insertRequiredPermission(
  db: Kysely<IdentityDB>,
  values: RequiredPermission & { tenantId: string },
): Promise<boolean> {
  const row = await db
    .insertInto("identity.application_required_permissions")
    .values({
      tenant_id: values.tenantId,
      application_id: values.applicationId,
      resource_application_id: values.resourceApplicationId,
      permission_id: values.permissionId,
      type: values.type,
    })
    .onConflict((oc) =>
      oc
        .columns(["application_id", "resource_application_id", "permission_id", "type"])
        .doNothing(),
    )
    .returning("permission_id")
    .executeTakeFirst();
  return row !== undefined;
}

export interface RequiredPermissionRow extends RequiredPermission {
  /** The scope's or role's value; null when the resource no longer defines it. */
  value: string | null;
}

/** What the application statically requires, on every resource, with each permission's value. */
export async function selectRequiredPermissions(
  db: Kysely<IdentityDB>,
  applicationId: string,
): Promise<RequiredPermissionRow[]> {
  const rows = await db
    .selectFrom("identity.application_required_permissions as p")
    .leftJoin("identity.application_scopes as s", (join) =>
      join
        .onRef("s.id", "=", "p.permission_id")
        .onRef("s.application_id", "=", "p.resource_application_id")
        .on("p.type", "=", "Scope"),
    )
    .leftJoin("identity.application_roles as r", (join) =>
      join
        .onRef("r.id", "=", "p.permission_id")
        .onRef("r.application_id", "=", "p.resource_application_id")
        .on("p.type", "=", "Role"),
    )
    .select([
      "p.application_id",
      "p.resource_application_id",
      "p.permission_id",
      "p.type",
      "s.value as scope_value",
      "r.value as role_value",
    ])
    .where("p.application_id", "=", applicationId)
    .orderBy("p.resource_application_id")
    .orderBy("p.type")
    .orderBy("p.created_at")
    .execute();
  return rows.map((r) => ({
    applicationId: r.application_id,
    resourceApplicationId: r.resource_application_id,
    permissionId: r.permission_id,
    type: r.type,
    value: r.scope_value ?? r.role_value ?? null,
  }));
}

/**
 * The enabled delegated permissions (values) the client statically requires on the resource:
 * what `{resource}/.default` stands for in a delegated request.
 */
export async function selectRequiredScopeValues(
  db: Kysely<IdentityDB>,
  clientApplicationId: string,
  resourceApplicationId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom("identity.application_required_permissions as p")
    .innerJoin("identity.application_scopes as s", "s.id", "p.permission_id")
    .select("s.value")
    .where("p.application_id", "=", clientApplicationId)
    .where("p.resource_application_id", "=", resourceApplicationId)
    .where("p.type", "=", "Scope")
    .where("s.application_id", "=", resourceApplicationId)
    .where("s.enabled", "=", true)
    .orderBy("p.created_at")
    .orderBy("s.value")
    .execute();
  return rows.map((r) => r.value);
}
