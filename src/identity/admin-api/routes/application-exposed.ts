import type { Kysely } from "kysely";
import { z } from "zod";
import { inTransaction } from "../../../platform/db/index.ts";
import { ApiError } from "../../../platform/http/errors.ts";
import { type AuditActor, recordAudit } from "../../activity/index.ts";
import {
  type AppRole,
  type ExposedScope,
  exposeAppRole,
  exposeScope,
  listAppRoles,
  listExposedScopes,
  removeAppRole,
  removeExposedScope,
  requireOwnApplication,
  setAppRoleEnabled,
  setExposedScopeEnabled,
} from "../../apps/index.ts";
import type { IdentityDB } from "../../db.ts";
import { actorOf } from "../caller.ts";
import { type AdminRoute, defineRoute } from "../route.ts";
import { idParams, noContent, objectId, PERMISSIONS, patchBody } from "./admin-common.ts";
import { APP_NOT_FOUND } from "./applications.ts";

/** What an app registration exposes: delegated permissions (scopes) and app roles. */

const TAGS = ["Applications"];
const appParams = idParams("application");
const childParams = (what: string) =>
  z.object({ id: objectId("application"), childId: objectId(what) });
const enabledBody = z.object({ isEnabled: z.boolean() }).strict();

const scopeSchema = z
  .object({
    id: z.guid(),
    value: z.string(),
    adminConsentDisplayName: z.string(),
    adminConsentDescription: z.string(),
    userConsentDisplayName: z.string().nullable(),
    userConsentDescription: z.string().nullable(),
    type: z.enum(["Admin", "User"]).describe("Admin: only an administrator may consent."),
    isEnabled: z.boolean(),
  })
  .meta({ id: "PermissionScope" });

function scopeView(s: ExposedScope): z.input<typeof scopeSchema> {
  return {
    id: s.id,
    value: s.value,
    adminConsentDisplayName: s.adminConsentDisplayName,
    adminConsentDescription: s.adminConsentDescription,
    userConsentDisplayName: s.userConsentDisplayName,
    userConsentDescription: s.userConsentDescription,
    type: s.adminConsentRequired ? "Admin" : "User",
    isEnabled: s.enabled,
  };
}

const roleSchema = z
  .object({
    id: z.guid(),
    value: z.string(),
    displayName: z.string(),
    description: z.string(),
    allowedMemberTypes: z.array(z.enum(["User", "Application"])),
    isEnabled: z.boolean(),
  })
  .meta({ id: "AppRole" });

function roleView(r: AppRole): z.input<typeof roleSchema> {
  return {
    id: r.id,
    value: r.value,
    displayName: r.displayName,
    description: r.description,
    allowedMemberTypes: r.allowedMemberTypes,
    isEnabled: r.enabled,
  };
}

export const listScopesRoute = defineRoute({
  method: "GET",
  path: "/api/v1/applications/{id}/oauth2PermissionScopes",
  operationId: "listExposedScopes",
  summary: "The delegated permissions an application exposes (Expose an API)",
  tags: TAGS,
  permission: PERMISSIONS.readApplications,
  params: appParams,
  response: z.object({ value: z.array(scopeSchema) }),
  errors: [APP_NOT_FOUND],
  async handler(ctx) {
    const { db } = ctx.deps.database;
    const app = await requireOwnApplication(db, ctx.caller.tenantId, ctx.params.id);
    return { value: (await listExposedScopes(db, app.id)).map(scopeView) };
  },
});

export const addScopeRoute = defineRoute({
  method: "POST",
  path: "/api/v1/applications/{id}/oauth2PermissionScopes",
  operationId: "exposeScope",
  summary: "Expose a delegated permission",
  tags: TAGS,
  permission: PERMISSIONS.writeApplications,
  params: appParams,
  body: z
    .object({
      value: z.string().min(1).max(120),
      adminConsentDisplayName: z.string().max(1024).optional(),
      adminConsentDescription: z.string().min(1).max(1024),
      userConsentDisplayName: z.string().max(1024).optional(),
      userConsentDescription: z.string().max(1024).optional(),
      type: z.enum(["Admin", "User"]).default("Admin").describe("Who can consent."),
    })
    .strict(),
  response: scopeSchema,
  status: 201,
  errors: [
    APP_NOT_FOUND,
    { status: 409, code: "application.duplicate_scope", description: "The value is taken." },
  ],
  async handler(ctx) {
    const { type, ...rest } = ctx.body;
    const scope = await exposeScope(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.params.id,
      { ...rest, adminConsentRequired: type === "Admin" },
      actorOf(ctx.caller),
    );
    return scopeView(scope);
  },
});

const scopeDetails = {
  adminConsentDisplayName: z.string().min(1).max(1024).optional(),
  adminConsentDescription: z.string().min(1).max(1024).optional(),
  userConsentDisplayName: z.string().max(1024).nullable().optional().describe("null clears it."),
  userConsentDescription: z.string().max(1024).nullable().optional().describe("null clears it."),
  type: z.enum(["Admin", "User"]).optional().describe("Who can consent."),
};

type ScopeDetails = {
  [K in keyof typeof scopeDetails]?: z.output<(typeof scopeDetails)[K]>;
};

/**
 * Changes what consent screens say about an exposed scope, and who may consent to it, in one
 * transaction with its "Update application" audit event (old and new values). The value stays:
 * grants and tokens name the scope by it, so a new value is a new scope.
 */
async function updateScopeDetails(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  scopeId: string,
  patch: ScopeDetails & { isEnabled?: boolean | undefined },
  actor: AuditActor,
): Promise<ExposedScope> {
  return inTransaction(db, async (trx) => {
    const application = await requireOwnApplication(trx, tenantId, applicationId);
    const before = (await listExposedScopes(trx, application.id)).find(
      (s) => s.id === scopeId.toLowerCase(),
    );
    if (!before)
      throw new ApiError(
        404,
        "application.scope_not_found",
        `The application has no delegated permission (scope) with id "${scopeId}".`,
      );
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
      adminConsentRequired:
        patch.type === undefined ? before.adminConsentRequired : patch.type === "Admin",
      enabled: patch.isEnabled ?? before.enabled,
    };
    await trx
      .updateTable("identity.application_scopes")
      .set({
        admin_consent_display_name: after.adminConsentDisplayName,
        admin_consent_description: after.adminConsentDescription,
        user_consent_display_name: after.userConsentDisplayName,
        user_consent_description: after.userConsentDescription,
        admin_consent_required: after.adminConsentRequired,
        enabled: after.enabled,
      })
      .where("tenant_id", "=", tenantId)
      .where("application_id", "=", application.id)
      .where("id", "=", before.id)
      .execute();
    await recordAudit(trx, {
      tenantId,
      activity: "Update application",
      category: "ApplicationManagement",
      actor,
      targets: [{ type: "Application", id: application.id, displayName: application.displayName }],
      modifiedProperties: [
        { name: "Oauth2PermissionScopes", oldValue: scopeView(before), newValue: scopeView(after) },
      ],
    });
    return after;
  });
}

export const updateScopeRoute = defineRoute({
  method: "PATCH",
  path: "/api/v1/applications/{id}/oauth2PermissionScopes/{childId}",
  operationId: "updateExposedScope",
  summary: "Edit, enable or disable an exposed delegated permission",
  description:
    "Changes the consent texts and who can consent (type), and/or enables or disables it. The value cannot change: expose a new scope instead.",
  tags: TAGS,
  permission: PERMISSIONS.writeApplications,
  params: childParams("scope"),
  body: patchBody({ isEnabled: z.boolean().optional(), ...scopeDetails }),
  response: scopeSchema,
  errors: [
    APP_NOT_FOUND,
    { status: 404, code: "application.scope_not_found", description: "No such scope." },
  ],
  async handler(ctx) {
    const { isEnabled, ...details } = ctx.body;
    const onlyEnabled =
      isEnabled !== undefined && Object.values(details).every((v) => v === undefined);
    const scope = onlyEnabled
      ? await setExposedScopeEnabled(
          ctx.deps.database.db,
          ctx.caller.tenantId,
          ctx.params.id,
          ctx.params.childId,
          isEnabled,
          actorOf(ctx.caller),
        )
      : await updateScopeDetails(
          ctx.deps.database.db,
          ctx.caller.tenantId,
          ctx.params.id,
          ctx.params.childId,
          ctx.body,
          actorOf(ctx.caller),
        );
    return scopeView(scope);
  },
});

export const removeScopeRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/applications/{id}/oauth2PermissionScopes/{childId}",
  operationId: "removeExposedScope",
  summary: "Delete a disabled delegated permission",
  tags: TAGS,
  permission: PERMISSIONS.writeApplications,
  params: childParams("scope"),
  response: noContent,
  status: 204,
  errors: [
    APP_NOT_FOUND,
    { status: 404, code: "application.scope_not_found", description: "No such scope." },
    { status: 409, code: "application.scope_enabled", description: "Disable it first." },
  ],
  async handler(ctx) {
    await removeExposedScope(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.params.id,
      ctx.params.childId,
      actorOf(ctx.caller),
    );
    return undefined;
  },
});

export const listRolesRoute = defineRoute({
  method: "GET",
  path: "/api/v1/applications/{id}/appRoles",
  operationId: "listAppRoles",
  summary: "An application's app roles",
  tags: TAGS,
  permission: PERMISSIONS.readApplications,
  params: appParams,
  response: z.object({ value: z.array(roleSchema) }),
  errors: [APP_NOT_FOUND],
  async handler(ctx) {
    const { db } = ctx.deps.database;
    const app = await requireOwnApplication(db, ctx.caller.tenantId, ctx.params.id);
    return { value: (await listAppRoles(db, app.id)).map(roleView) };
  },
});

export const addRoleRoute = defineRoute({
  method: "POST",
  path: "/api/v1/applications/{id}/appRoles",
  operationId: "createAppRole",
  summary: "Create an app role",
  description:
    'allowedMemberTypes ["Application"] makes an application permission; ["User"] a role for users and groups.',
  tags: TAGS,
  permission: PERMISSIONS.writeApplications,
  params: appParams,
  body: z
    .object({
      value: z.string().min(1).max(120),
      displayName: z.string().min(1).max(1024),
      description: z.string().min(1).max(1024),
      allowedMemberTypes: z
        .array(z.enum(["User", "Application"]))
        .min(1)
        .max(2),
    })
    .strict(),
  response: roleSchema,
  status: 201,
  errors: [
    APP_NOT_FOUND,
    { status: 409, code: "application.duplicate_role", description: "The value is taken." },
  ],
  async handler(ctx) {
    const role = await exposeAppRole(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.params.id,
      ctx.body,
      actorOf(ctx.caller),
    );
    return roleView(role);
  },
});

export const updateRoleRoute = defineRoute({
  method: "PATCH",
  path: "/api/v1/applications/{id}/appRoles/{childId}",
  operationId: "updateAppRole",
  summary: "Enable or disable an app role",
  tags: TAGS,
  permission: PERMISSIONS.writeApplications,
  params: childParams("app role"),
  body: enabledBody,
  response: roleSchema,
  errors: [
    APP_NOT_FOUND,
    { status: 404, code: "application.role_not_found", description: "No such app role." },
  ],
  async handler(ctx) {
    const role = await setAppRoleEnabled(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.params.id,
      ctx.params.childId,
      ctx.body.isEnabled,
      actorOf(ctx.caller),
    );
    return roleView(role);
  },
});

export const removeRoleRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/applications/{id}/appRoles/{childId}",
  operationId: "removeAppRole",
  summary: "Delete a disabled app role",
  tags: TAGS,
  permission: PERMISSIONS.writeApplications,
  params: childParams("app role"),
  response: noContent,
  status: 204,
  errors: [
    APP_NOT_FOUND,
    { status: 404, code: "application.role_not_found", description: "No such app role." },
    { status: 409, code: "application.role_enabled", description: "Disable it first." },
  ],
  async handler(ctx) {
    await removeAppRole(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.params.id,
      ctx.params.childId,
      actorOf(ctx.caller),
    );
    return undefined;
  },
});

/** Exposed scopes and app roles of app registrations (issue 7). */
export const exposedPermissionRoutes: AdminRoute[] = [
  listScopesRoute,
  addScopeRoute,
  updateScopeRoute,
  removeScopeRoute,
  listRolesRoute,
  addRoleRoute,
  updateRoleRoute,
  removeRoleRoute,
];
