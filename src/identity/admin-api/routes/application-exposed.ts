import { z } from "zod";
import {
  appRoleView,
  exposeAppRole,
  exposeScope,
  listAppRoles,
  listExposedScopes,
  permissionScopeView,
  removeAppRole,
  removeExposedScope,
  requireOwnApplication,
  updateAppRole,
  updateExposedScope,
} from "../../apps/index.ts";
import { actorOf } from "../caller.ts";
import { type AdminRoute, defineRoute } from "../route.ts";
import { idParams, noContent, objectId, PERMISSIONS, patchBody } from "./admin-common.ts";
import { APP_NOT_FOUND } from "./applications.ts";

/** What an app registration exposes: delegated permissions (scopes) and app roles. */

const TAGS = ["Applications"];
const appParams = idParams("application");
const childParams = (what: string) =>
  z.object({ id: objectId("application"), childId: objectId(what) });

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
    return { value: (await listExposedScopes(db, app.id)).map(permissionScopeView) };
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
    return permissionScopeView(scope);
  },
});

const scopeDetails = {
  adminConsentDisplayName: z.string().min(1).max(1024).optional(),
  adminConsentDescription: z.string().min(1).max(1024).optional(),
  userConsentDisplayName: z.string().max(1024).nullable().optional().describe("null clears it."),
  userConsentDescription: z.string().max(1024).nullable().optional().describe("null clears it."),
  type: z.enum(["Admin", "User"]).optional().describe("Who can consent."),
};

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
    const { type, ...rest } = ctx.body;
    const scope = await updateExposedScope(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.params.id,
      ctx.params.childId,
      { ...rest, adminConsentRequired: type === undefined ? undefined : type === "Admin" },
      actorOf(ctx.caller),
    );
    return permissionScopeView(scope);
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
    return { value: (await listAppRoles(db, app.id)).map(appRoleView) };
  },
});

const roleFields = {
  value: z.string().min(1).max(120),
  displayName: z.string().min(1).max(1024),
  description: z.string().min(1).max(1024),
  allowedMemberTypes: z
    .array(z.enum(["User", "Application"]))
    .min(1)
    .max(2),
};

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
  body: z.object(roleFields).strict(),
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
    return appRoleView(role);
  },
});

export const updateRoleRoute = defineRoute({
  method: "PATCH",
  path: "/api/v1/applications/{id}/appRoles/{childId}",
  operationId: "updateAppRole",
  summary: "Edit, enable or disable an app role",
  description:
    "Changes the value, display name, description and allowed member types, and/or enables or disables it. The id stays, so assignments of the role keep it; tokens carry a new value from their next issue. A member type cannot be removed while principals of that type are assigned the role.",
  tags: TAGS,
  permission: PERMISSIONS.writeApplications,
  params: childParams("app role"),
  body: patchBody({
    isEnabled: z.boolean().optional(),
    value: roleFields.value.optional().describe("Unique among the application's app roles."),
    displayName: roleFields.displayName.optional(),
    description: roleFields.description.optional(),
    allowedMemberTypes: roleFields.allowedMemberTypes.optional(),
  }),
  response: roleSchema,
  errors: [
    APP_NOT_FOUND,
    { status: 400, code: "application.invalid_role_value", description: "Not a valid value." },
    { status: 400, code: "application.invalid_role", description: "A blank name or description." },
    { status: 404, code: "application.role_not_found", description: "No such app role." },
    {
      status: 409,
      code: "application.duplicate_role",
      description: "Another app role of the application has the value.",
    },
    {
      status: 409,
      code: "application.role_in_use",
      description: "A removed member type is still assigned the role.",
    },
  ],
  async handler(ctx) {
    const role = await updateAppRole(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.params.id,
      ctx.params.childId,
      ctx.body,
      actorOf(ctx.caller),
    );
    return appRoleView(role);
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
