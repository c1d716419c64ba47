import type { Kysely } from "kysely";
import { inTransaction, isUniqueViolation } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import type { AuditActor } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import { requireOwnApplication } from "./application-admin.ts";
import { recordApplicationUpdate } from "./application-audit.ts";
import { normalisePermissionValue, normaliseText } from "./names.ts";
import { findPermission, setAppRoleEnabled, setExposedScopeEnabled } from "./permission-admin.ts";
import {
  selectRoleAssigneeTypes,
  updateRoleRow,
  updateScopeRow,
} from "./permission-admin-queries.ts";
import type { Application, AppRole, AppRoleMemberType, ExposedScope } from "./types.ts";

/**
 * Editing what an application exposes after creation (Entra "Expose an API" > edit a scope,
 * "App roles" > edit an app role). The id of a scope or role never changes: grants, required
 * permissions and assignments name it by id.
 */

/** The changes to an exposed scope; undefined leaves a field as it is. */
export interface ExposedScopePatch {
  adminConsentDisplayName?: string | undefined;
  adminConsentDescription?: string | undefined;
  /** null or "" clears it. */
  userConsentDisplayName?: string | null | undefined;
  /** null or "" clears it. */
  userConsentDescription?: string | null | undefined;
  /** Entra type "Admin" (true) or "User" (false). */
  adminConsentRequired?: boolean | undefined;
  isEnabled?: boolean | undefined;
}

/**
 * A scope as Graph's permissionScope names it: what the admin API answers and the audit
 * trail's old and new values.
 */
export function permissionScopeView(s: ExposedScope) {
  const type: "Admin" | "User" = s.adminConsentRequired ? "Admin" : "User";
  return {
    id: s.id,
    value: s.value,
    adminConsentDisplayName: s.adminConsentDisplayName,
    adminConsentDescription: s.adminConsentDescription,
    userConsentDisplayName: s.userConsentDisplayName,
    userConsentDescription: s.userConsentDescription,
    type,
    isEnabled: s.enabled,
  };
}

/**
 * Changes what consent screens say about an exposed scope and who may consent to it, and/or
 * enables or disables it, in one transaction with its "Update application" audit event (old
 * and new values). A patch of `isEnabled` alone only toggles (see `setExposedScopeEnabled`).
 * The value stays: grants and tokens name the scope by it, so a new value is a new scope.
 */
export async function updateExposedScope(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  scopeId: string,
  patch: ExposedScopePatch,
  actor: AuditActor,
): Promise<ExposedScope> {
  const { isEnabled, ...details } = patch;
  if (isEnabled !== undefined && Object.values(details).every((v) => v === undefined))
    return setExposedScopeEnabled(db, tenantId, applicationId, scopeId, isEnabled, actor);
  return inTransaction(db, async (trx) => {
    const application = await requireOwnApplication(trx, tenantId, applicationId);
    const before = await findPermission(trx, "scope", application, scopeId);
    const after: ExposedScope = {
      ...before,
      adminConsentDisplayName: patch.adminConsentDisplayName ?? before.adminConsentDisplayName,
      adminConsentDescription: patch.adminConsentDescription ?? before.adminConsentDescription,
      userConsentDisplayName:
        patch.userConsentDisplayName === undefined
          ? before.userConsentDisplayName
          : patch.userConsentDisplayName || null,
      userConsentDescription:
        patch.userConsentDescription === undefined
          ? before.userConsentDescription
          : patch.userConsentDescription || null,
      adminConsentRequired: patch.adminConsentRequired ?? before.adminConsentRequired,
      enabled: isEnabled ?? before.enabled,
    };
    await updateScopeRow(trx, tenantId, after);
    await recordApplicationUpdate(trx, tenantId, actor, application, [
      {
        name: "Oauth2PermissionScopes",
        oldValue: permissionScopeView(before),
        newValue: permissionScopeView(after),
      },
    ]);
    return after;
  });
}

/** The changes to an app role; undefined leaves a field as it is. */
export interface AppRolePatch {
  value?: string | undefined;
  displayName?: string | undefined;
  description?: string | undefined;
  allowedMemberTypes?: AppRoleMemberType[] | undefined;
  isEnabled?: boolean | undefined;
}

/**
 * A role as Graph's appRole names it: what the admin API answers and the audit trail's old and
 * new values.
 */
export function appRoleView(r: AppRole) {
  return {
    id: r.id,
    value: r.value,
    displayName: r.displayName,
    description: r.description,
    allowedMemberTypes: r.allowedMemberTypes,
    isEnabled: r.enabled,
  };
}

/** The patch checked and normalised as `exposeAppRole` checks a new role. */
function acceptRolePatch(patch: AppRolePatch): AppRolePatch {
  const types = patch.allowedMemberTypes && [...new Set(patch.allowedMemberTypes)];
  if (types && (types.length === 0 || types.some((t) => t !== "User" && t !== "Application")))
    throw new ApiError(
      400,
      "application.invalid_role",
      'An app role is allowed for "User" (users and groups), "Application", or both.',
    );
  return {
    value:
      patch.value === undefined
        ? undefined
        : normalisePermissionValue(patch.value, "application.invalid_role_value"),
    displayName:
      patch.displayName === undefined
        ? undefined
        : normaliseText(patch.displayName, "application.invalid_role", "app role display name"),
    description:
      patch.description === undefined
        ? undefined
        : normaliseText(patch.description, "application.invalid_role", "app role description"),
    allowedMemberTypes: types,
    isEnabled: patch.isEnabled,
  };
}

/** True when `wanted` is not given or names the same member types in any order. */
function sameMembers(wanted: AppRoleMemberType[] | undefined, had: AppRoleMemberType[]): boolean {
  return !wanted || (wanted.length === had.length && wanted.every((t) => had.includes(t)));
}

/**
 * Refuses to take a member type away from a role that principals of that type hold: their
 * assignments would stop counting (an app-only token's `roles` needs "Application", an
 * assignment of a user or group needs "User"). Remove those assignments first.
 */
async function checkMemberTypesStillHeld(
  trx: Kysely<IdentityDB>,
  application: Application,
  before: AppRole,
  types: AppRoleMemberType[],
): Promise<void> {
  const removed = before.allowedMemberTypes.filter((t) => !types.includes(t));
  if (removed.length === 0) return;
  const held = await selectRoleAssigneeTypes(trx, application.id, before.id);
  const needed = new Set<AppRoleMemberType>(
    held.map((p) => (p === "ServicePrincipal" ? "Application" : "User")),
  );
  const broken = removed.find((t) => needed.has(t));
  if (broken)
    throw new ApiError(
      409,
      "application.role_in_use",
      `The app role "${before.value}" is assigned to ${
        broken === "Application" ? "applications (service principals)" : "users or groups"
      }, so "${broken}" cannot be removed from its allowed member types: remove those assignments first (Enterprise applications > the app's assignments), or keep "${broken}".`,
    );
}

/**
 * Edits an app role (Entra "App roles" > edit): its value, display name, description, allowed
 * member types and whether it is enabled, in one transaction with its "Update application"
 * audit event (old and new values). The id stays, so assignments keep naming the role; a new
 * value is what tokens' `roles` carry from their next issue. A patch of `isEnabled` alone only
 * toggles (see `setAppRoleEnabled`); a patch that changes nothing writes nothing.
 *
 * Errors: 404 `application.role_not_found`, 409 `application.duplicate_role` (the value is
 * another role's), 409 `application.role_in_use` (a member type that assignments rely on would
 * be removed), 400 `application.invalid_role` / `application.invalid_role_value`.
 */
export async function updateAppRole(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  roleId: string,
  patch: AppRolePatch,
  actor: AuditActor,
): Promise<AppRole> {
  const { isEnabled, ...details } = patch;
  if (isEnabled !== undefined && Object.values(details).every((v) => v === undefined))
    return setAppRoleEnabled(db, tenantId, applicationId, roleId, isEnabled, actor);
  const input = acceptRolePatch(patch);
  try {
    return await inTransaction(db, async (trx) => {
      const application = await requireOwnApplication(trx, tenantId, applicationId);
      const before = await findPermission(trx, "role", application, roleId);
      const after: AppRole = {
        ...before,
        value: input.value ?? before.value,
        displayName: input.displayName ?? before.displayName,
        description: input.description ?? before.description,
        allowedMemberTypes: sameMembers(input.allowedMemberTypes, before.allowedMemberTypes)
          ? before.allowedMemberTypes
          : (input.allowedMemberTypes ?? before.allowedMemberTypes),
        enabled: input.isEnabled ?? before.enabled,
      };
      const oldValue = appRoleView(before);
      const newValue = appRoleView(after);
      if (JSON.stringify(oldValue) === JSON.stringify(newValue)) return before;
      await checkMemberTypesStillHeld(trx, application, before, after.allowedMemberTypes);
      await updateRoleRow(trx, tenantId, after);
      await recordApplicationUpdate(trx, tenantId, actor, application, [
        { name: "AppRoles", oldValue, newValue },
      ]);
      return after;
    });
  } catch (error) {
    if (isUniqueViolation(error, "application_roles_app_value_key"))
      throw new ApiError(
        409,
        "application.duplicate_role",
        `The application already has an app role "${input.value}": choose another value.`,
      );
    throw error;
  }
}
