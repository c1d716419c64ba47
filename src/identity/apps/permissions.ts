import type { Kysely } from "kysely";
import { inTransaction, isUniqueViolation } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import type { AuditActor } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import { recordApplicationUpdate } from "./application-audit.ts";
import { findApplicationById } from "./applications.ts";
import { isOidcScope } from "./mail-resource.ts";
import { normalisePermissionValue, normaliseText } from "./names.ts";
import {
  insertRequiredPermission,
  insertRole,
  insertScope,
  type RequiredPermissionRow,
  selectRequiredPermissions,
  selectRoles,
  selectScopes,
} from "./permission-queries.ts";
import { resourceIdentifierUri } from "./resource-ref.ts";
import type { Application, AppRole, AppRoleMemberType, ExposedScope } from "./types.ts";

async function requireOwnApplication(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
): Promise<Application> {
  const application = await findApplicationById(db, applicationId);
  if (!application || application.tenantId !== tenantId)
    throw new ApiError(
      404,
      "application.not_found",
      `No application "${applicationId}" is registered in this tenant.`,
    );
  return application;
}

export interface NewScope {
  value: string;
  /** Defaults to the value. */
  adminConsentDisplayName?: string | undefined;
  adminConsentDescription: string;
  userConsentDisplayName?: string | undefined;
  userConsentDescription?: string | undefined;
  /** Entra "Who can consent? Admins only" (true) or "Admins and users" (false). Default true. */
  adminConsentRequired?: boolean | undefined;
}

/**
 * Exposes a delegated permission on the application (Entra "Expose an API" > "Add a scope"),
 * so clients can request `{identifierUri}/{value}`. The OpenID Connect scope names are
 * reserved: they never name a resource's permission.
 */
export async function exposeScope(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  input: NewScope,
  actor: AuditActor,
): Promise<ExposedScope> {
  const value = normalisePermissionValue(input.value, "application.invalid_scope_value");
  if (isOidcScope(value))
    throw new ApiError(
      400,
      "application.invalid_scope_value",
      `"${value}" is an OpenID Connect scope and cannot be exposed by an application.`,
    );
  const adminDescription = normaliseText(
    input.adminConsentDescription,
    "application.invalid_scope_description",
    "admin consent description",
  );
  const adminName = normaliseText(
    input.adminConsentDisplayName ?? value,
    "application.invalid_scope_description",
    "admin consent display name",
  );
  const userName = optionalText(input.userConsentDisplayName, "user consent display name");
  const userDescription = optionalText(input.userConsentDescription, "user consent description");
  try {
    return await inTransaction(db, async (trx) => {
      const application = await requireOwnApplication(trx, tenantId, applicationId);
      const scope = await insertScope(trx, {
        tenantId,
        applicationId: application.id,
        value,
        adminConsentDisplayName: adminName,
        adminConsentDescription: adminDescription,
        userConsentDisplayName: userName ?? adminName,
        userConsentDescription: userDescription ?? adminDescription,
        adminConsentRequired: input.adminConsentRequired ?? true,
        enabled: true,
      });
      await recordApplicationUpdate(trx, tenantId, actor, application, [
        {
          name: "Oauth2PermissionScopes",
          oldValue: null,
          newValue: { id: scope.id, value, adminConsentRequired: scope.adminConsentRequired },
        },
      ]);
      return scope;
    });
  } catch (error) {
    if (isUniqueViolation(error, "application_scopes_app_value_key"))
      throw new ApiError(
        409,
        "application.duplicate_scope",
        `The application already exposes a scope "${value}".`,
      );
    throw error;
  }
}

function optionalText(input: string | undefined, what: string): string | undefined {
  if (input === undefined) return undefined;
  const text = normaliseText(input, "application.invalid_scope_description", what, false);
  return text === "" ? undefined : text;
}

export interface NewAppRole {
  value: string;
  displayName: string;
  description: string;
  /** ["Application"] for an application permission, ["User"] for users and groups, or both. */
  allowedMemberTypes: AppRoleMemberType[];
}

/** Defines an app role on the application (Entra "App roles" > "Create app role"). */
export async function exposeAppRole(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  input: NewAppRole,
  actor: AuditActor,
): Promise<AppRole> {
  const value = normalisePermissionValue(input.value, "application.invalid_role_value");
  const displayName = normaliseText(
    input.displayName,
    "application.invalid_role",
    "app role display name",
  );
  const description = normaliseText(
    input.description,
    "application.invalid_role",
    "app role description",
  );
  const types = [...new Set(input.allowedMemberTypes)];
  if (types.length === 0 || types.some((t) => t !== "User" && t !== "Application"))
    throw new ApiError(
      400,
      "application.invalid_role",
      'An app role is allowed for "User" (users and groups), "Application", or both.',
    );
  try {
    return await inTransaction(db, async (trx) => {
      const application = await requireOwnApplication(trx, tenantId, applicationId);
      const role = await insertRole(trx, {
        tenantId,
        applicationId: application.id,
        value,
        displayName,
        description,
        allowedMemberTypes: types,
        enabled: true,
      });
      await recordApplicationUpdate(trx, tenantId, actor, application, [
        {
          name: "AppRoles",
          oldValue: null,
          newValue: { id: role.id, value, allowedMemberTypes: types },
        },
      ]);
      return role;
    });
  } catch (error) {
    if (isUniqueViolation(error, "application_roles_app_value_key"))
      throw new ApiError(
        409,
        "application.duplicate_role",
        `The application already has an app role "${value}".`,
      );
    throw error;
  }
}

/** A resource's delegated permissions (any tenant may read a resource's permission list). */
export async function listExposedScopes(
  db: Kysely<IdentityDB>,
  applicationId: string,
): Promise<ExposedScope[]> {
  return (await findApplicationById(db, applicationId)) ? selectScopes(db, applicationId) : [];
}

/** A resource's app roles. */
export async function listAppRoles(
  db: Kysely<IdentityDB>,
  applicationId: string,
): Promise<AppRole[]> {
  return (await findApplicationById(db, applicationId)) ? selectRoles(db, applicationId) : [];
}

/** The permissions the application statically requires, with their values. */
export async function listRequiredPermissions(
  db: Kysely<IdentityDB>,
  applicationId: string,
): Promise<RequiredPermissionRow[]> {
  return (await findApplicationById(db, applicationId))
    ? selectRequiredPermissions(db, applicationId)
    : [];
}

export type { RequiredPermissionRow };

/**
 * Adds a permission the application statically requires (Entra "API permissions" > "Add a
 * permission"): a delegated scope or, with `type: "Role"`, an application permission. It is
 * what `{resource}/.default` requests and what admin consent grants. Adding one it already
 * requires changes nothing (`added: false`).
 *
 * @example
 * await requirePermission(db, app.tenantId, app.id,
 *   { resource: mail, value: "Mail.Read", type: "Scope" }, CLI_ACTOR);
 */
export async function requirePermission(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  input: { resource: Application; value: string; type: "Scope" | "Role" },
  actor: AuditActor,
): Promise<RequiredPermissionRow & { added: boolean }> {
  const { resource, type } = input;
  const wanted = input.value.trim();
  return inTransaction(db, async (trx) => {
    const application = await requireOwnApplication(trx, tenantId, applicationId);
    const permission =
      type === "Scope"
        ? pick(await selectScopes(trx, resource.id), wanted)
        : pick(
            (await selectRoles(trx, resource.id)).filter((r) =>
              r.allowedMemberTypes.includes("Application"),
            ),
            wanted,
          );
    if (!permission?.enabled)
      throw new ApiError(
        404,
        type === "Scope" ? "application.unknown_scope" : "application.unknown_role",
        `${resource.displayName} (${resourceIdentifierUri(resource)}) has no ${
          type === "Scope" ? "delegated permission" : "application permission"
        } "${wanted}"${permission ? " that is enabled" : ""}.`,
      );
    const added = await insertRequiredPermission(trx, {
      tenantId,
      applicationId: application.id,
      resourceApplicationId: resource.id,
      permissionId: permission.id,
      type,
    });
    if (added) {
      await recordApplicationUpdate(trx, tenantId, actor, application, [
        {
          name: "RequiredResourceAccess",
          oldValue: null,
          newValue: {
            resourceAppId: resource.appId,
            resourceAccess: { id: permission.id, type, value: permission.value },
          },
        },
      ]);
    }
    return {
      applicationId: application.id,
      resourceApplicationId: resource.id,
      permissionId: permission.id,
      type,
      value: permission.value,
      added,
    };
  });
}

/** Exact value first, then case-insensitively (Entra matches permission values that way). */
function pick<T extends { value: string }>(items: T[], value: string): T | undefined {
  return (
    items.find((i) => i.value === value) ??
    items.find((i) => i.value.toLowerCase() === value.toLowerCase())
  );
}
