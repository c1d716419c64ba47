import type { Kysely } from "kysely";
import { inTransaction } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import type { AuditActor } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import { requireOwnApplication } from "./application-admin.ts";
import { recordApplicationUpdate } from "./application-audit.ts";
import { findApplicationById } from "./applications.ts";
import { isUuid } from "./names.ts";
import {
  deleteDisabledPermission,
  deleteRequiredPermission,
  updatePermissionEnabled,
} from "./permission-admin-queries.ts";
import { selectRoles, selectScopes } from "./permission-queries.ts";
import type { Application, AppRole, ExposedScope } from "./types.ts";

/**
 * Removes a permission the application statically requires (Entra "API permissions" > "Remove
 * permission"). Grants already made stay until revoked, as in Entra. Writes "Update application".
 */
export async function removeRequiredPermission(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  permissionId: string,
  actor: AuditActor,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const application = await requireOwnApplication(trx, tenantId, applicationId);
    const removed = isUuid(permissionId)
      ? await deleteRequiredPermission(trx, tenantId, application.id, permissionId.toLowerCase())
      : undefined;
    if (!removed)
      throw new ApiError(
        404,
        "application.required_permission_not_found",
        `The application does not require the permission "${permissionId}".`,
      );
    const resource = await findApplicationById(trx, removed.resourceApplicationId);
    await recordApplicationUpdate(trx, tenantId, actor, application, [
      {
        name: "RequiredResourceAccess",
        oldValue: {
          resourceAppId: resource?.appId ?? null,
          resourceAccess: { id: permissionId.toLowerCase(), type: removed.type },
        },
        newValue: null,
      },
    ]);
  });
}

type Kind = "scope" | "role";

const KINDS = {
  scope: {
    table: "identity.application_scopes",
    property: "Oauth2PermissionScopes",
    what: "delegated permission (scope)",
    code: "application.scope_not_found",
    list: selectScopes,
  },
  role: {
    table: "identity.application_roles",
    property: "AppRoles",
    what: "app role",
    code: "application.role_not_found",
    list: selectRoles,
  },
} as const;

/** The application's scope or app role with this id; 404 in words when there is none. */
export async function findPermission(
  trx: Kysely<IdentityDB>,
  kind: "scope",
  application: Application,
  id: string,
): Promise<ExposedScope>;
export async function findPermission(
  trx: Kysely<IdentityDB>,
  kind: "role",
  application: Application,
  id: string,
): Promise<AppRole>;
export async function findPermission(
  trx: Kysely<IdentityDB>,
  kind: Kind,
  application: Application,
  id: string,
): Promise<ExposedScope | AppRole>;
export async function findPermission(
  trx: Kysely<IdentityDB>,
  kind: Kind,
  application: Application,
  id: string,
): Promise<ExposedScope | AppRole> {
  const found = isUuid(id)
    ? (await KINDS[kind].list(trx, application.id)).find((p) => p.id === id.toLowerCase())
    : undefined;
  if (!found)
    throw new ApiError(
      404,
      KINDS[kind].code,
      `The application has no ${KINDS[kind].what} with id "${id}".`,
    );
  return found;
}

async function setEnabled(
  db: Kysely<IdentityDB>,
  kind: Kind,
  tenantId: string,
  applicationId: string,
  id: string,
  enabled: boolean,
  actor: AuditActor,
): Promise<ExposedScope | AppRole> {
  return inTransaction(db, async (trx) => {
    const application = await requireOwnApplication(trx, tenantId, applicationId);
    const before = await findPermission(trx, kind, application, id);
    if (before.enabled === enabled) return before;
    await updatePermissionEnabled(
      trx,
      KINDS[kind].table,
      tenantId,
      application.id,
      before.id,
      enabled,
    );
    await recordApplicationUpdate(trx, tenantId, actor, application, [
      {
        name: KINDS[kind].property,
        oldValue: { id: before.id, value: before.value, isEnabled: before.enabled },
        newValue: { id: before.id, value: before.value, isEnabled: enabled },
      },
    ]);
    return { ...before, enabled };
  });
}

/**
 * Enables or disables a scope the application exposes. A disabled scope can no longer be
 * requested or granted; tokens already issued keep it until they expire.
 */
export async function setExposedScopeEnabled(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  scopeId: string,
  enabled: boolean,
  actor: AuditActor,
): Promise<ExposedScope> {
  return (await setEnabled(
    db,
    "scope",
    tenantId,
    applicationId,
    scopeId,
    enabled,
    actor,
  )) as ExposedScope;
}

/** Enables or disables an app role; a disabled role is left out of tokens' `roles`. */
export async function setAppRoleEnabled(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  roleId: string,
  enabled: boolean,
  actor: AuditActor,
): Promise<AppRole> {
  return (await setEnabled(db, "role", tenantId, applicationId, roleId, enabled, actor)) as AppRole;
}

async function remove(
  db: Kysely<IdentityDB>,
  kind: Kind,
  tenantId: string,
  applicationId: string,
  id: string,
  actor: AuditActor,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const application = await requireOwnApplication(trx, tenantId, applicationId);
    const before = await findPermission(trx, kind, application, id);
    // Entra's rule: disable first, so nothing depends on it unnoticed when it goes.
    if (
      before.enabled ||
      !(await deleteDisabledPermission(trx, KINDS[kind].table, tenantId, application.id, before.id))
    )
      throw new ApiError(
        409,
        kind === "scope" ? "application.scope_enabled" : "application.role_enabled",
        `The ${KINDS[kind].what} "${before.value}" is enabled: disable it first (PATCH with isEnabled false), then delete it.`,
      );
    await recordApplicationUpdate(trx, tenantId, actor, application, [
      {
        name: KINDS[kind].property,
        oldValue: { id: before.id, value: before.value, isEnabled: false },
        newValue: null,
      },
    ]);
  });
}

/** Deletes a disabled scope (409 `application.scope_enabled` while it is enabled). */
export function removeExposedScope(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  scopeId: string,
  actor: AuditActor,
): Promise<void> {
  return remove(db, "scope", tenantId, applicationId, scopeId, actor);
}

/**
 * Deletes a disabled app role (409 `application.role_enabled` while it is enabled). Assignments
 * of it stay inert, as in Entra: a deleted role is never put in a token.
 */
export function removeAppRole(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  roleId: string,
  actor: AuditActor,
): Promise<void> {
  return remove(db, "role", tenantId, applicationId, roleId, actor);
}
