import { z } from "zod";
import { pageSchema } from "../../activity/index.ts";
import {
  type AppRoleAssignedTo,
  assignAppRole,
  listAppRoleAssignedTo,
  listAppRoleAssignmentsHeld,
  removeAppRoleAssignment,
  requireServicePrincipal,
  type ServicePrincipalListing,
  searchServicePrincipals,
  updateServicePrincipal,
} from "../../apps/index.ts";
import { listDelegatedPermissionGrants } from "../../consent/index.ts";
import { actorOf } from "../caller.ts";
import { type AdminRoute, defineRoute } from "../route.ts";
import {
  dateTime,
  idParams,
  iso,
  noContent,
  objectId,
  PERMISSIONS,
  pageAnswer,
  patchBody,
  searchQuery,
} from "./admin-common.ts";
import { pagingQuery } from "./audit-log-filters.ts";
import { grantSchema, grantViews } from "./grants.ts";

/** Enterprise applications (service principals): properties, users and groups, permissions. */

const TAGS = ["Enterprise applications"];

const servicePrincipalSchema = z
  .object({
    id: z.guid().describe("Object id of the service principal."),
    appId: z.guid(),
    applicationId: z.guid().describe("Object id of the application."),
    displayName: z.string(),
    accountEnabled: z.boolean().describe('"Enabled for users to sign in?"'),
    appRoleAssignmentRequired: z.boolean().describe('"Assignment required?"'),
    visibleToUsers: z.boolean().describe('"Visible to users?" (My apps)'),
    notes: z.string().nullable(),
    publisherDisplayName: z.string().nullable(),
    publisherVerified: z.boolean(),
    appOwnerOrganizationId: z.guid().describe("The tenant the application is registered in."),
    applicationType: z
      .enum(["own", "external"])
      .describe("own: registered in this tenant; external: another tenant's app."),
    createdDateTime: dateTime,
  })
  .meta({ id: "ServicePrincipal" });

function spView(sp: ServicePrincipalListing): z.input<typeof servicePrincipalSchema> {
  return {
    id: sp.id,
    appId: sp.appId,
    applicationId: sp.applicationId,
    displayName: sp.displayName,
    accountEnabled: sp.accountEnabled,
    appRoleAssignmentRequired: sp.appRoleAssignmentRequired,
    visibleToUsers: sp.visibleToUsers,
    notes: sp.notes,
    publisherDisplayName: sp.publisherDisplayName,
    publisherVerified: sp.publisherVerified,
    appOwnerOrganizationId: sp.homeTenantId,
    applicationType: sp.homeTenantId === sp.tenantId ? "own" : "external",
    createdDateTime: iso(sp.createdAt),
  };
}

const assignedToSchema = z
  .object({
    id: z.guid(),
    principalType: z.enum(["User", "Group"]),
    principalId: z.guid(),
    principalDisplayName: z.string().nullable(),
    userPrincipalName: z.string().nullable(),
    appRoleId: z.guid().describe("00000000-0000-0000-0000-000000000000: default access."),
    appRoleValue: z.string().nullable(),
    createdDateTime: dateTime,
  })
  .meta({ id: "AppRoleAssignedTo" });

function assignedToView(a: AppRoleAssignedTo): z.input<typeof assignedToSchema> {
  return {
    id: a.id,
    principalType: a.principalType === "Group" ? "Group" : "User",
    principalId: a.principalId,
    principalDisplayName: a.principalDisplayName,
    userPrincipalName: a.userPrincipalName,
    appRoleId: a.appRoleId,
    appRoleValue: a.appRoleValue,
    createdDateTime: iso(a.createdAt),
  };
}

const spParams = idParams("service principal");
const NOT_FOUND = {
  status: 404,
  code: "service_principal.not_found",
  description: "No such enterprise app in this tenant.",
};
const flag = (description: string) =>
  z
    .enum(["true", "false"])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === "true"))
    .describe(description);

export const listServicePrincipalsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/servicePrincipals",
  operationId: "listServicePrincipals",
  summary: "List enterprise applications, by name",
  description: "`search` also matches an exact app id. Filters combine with AND.",
  tags: TAGS,
  permission: PERMISSIONS.readApplications,
  query: z.object({
    ...searchQuery,
    accountEnabled: flag("Only apps enabled (true) or disabled (false) for sign-in."),
    appRoleAssignmentRequired: flag("Only apps that require assignment (true) or not."),
    visibleToUsers: flag("Only apps visible (true) or hidden (false) in My apps."),
    applicationType: z.enum(["own", "external"]).optional(),
    ...pagingQuery,
  }),
  response: pageSchema(servicePrincipalSchema, "ServicePrincipalPage"),
  errors: [
    {
      status: 400,
      code: "request.invalid_cursor",
      description: "A cursor this API did not issue.",
    },
  ],
  async handler(ctx) {
    const { top, cursor, ...filter } = ctx.query;
    const page = await searchServicePrincipals(ctx.deps.database.db, ctx.caller.tenantId, filter, {
      top,
      cursor,
    });
    return pageAnswer(ctx, page.value.map(spView), page.nextCursor);
  },
});

export const getServicePrincipalRoute = defineRoute({
  method: "GET",
  path: "/api/v1/servicePrincipals/{id}",
  operationId: "getServicePrincipal",
  summary: "One enterprise application",
  tags: TAGS,
  permission: PERMISSIONS.readApplications,
  params: spParams,
  response: servicePrincipalSchema,
  errors: [NOT_FOUND],
  handler: async (ctx) =>
    spView(await requireServicePrincipal(ctx.deps.database.db, ctx.caller.tenantId, ctx.params.id)),
});

export const updateServicePrincipalRoute = defineRoute({
  method: "PATCH",
  path: "/api/v1/servicePrincipals/{id}",
  operationId: "updateServicePrincipal",
  summary: "Change an enterprise application's properties",
  description:
    "accountEnabled false refuses sign-ins and token refreshes to the app in this tenant (AADSTS7000112); appRoleAssignmentRequired true admits assigned users and members of assigned groups only (AADSTS50105).",
  tags: TAGS,
  permission: PERMISSIONS.writeApplications,
  params: spParams,
  body: patchBody({
    accountEnabled: z.boolean().optional(),
    appRoleAssignmentRequired: z.boolean().optional(),
    visibleToUsers: z.boolean().optional(),
    notes: z.string().max(1024).nullable().optional().describe("null clears them."),
  }),
  response: servicePrincipalSchema,
  errors: [NOT_FOUND],
  async handler(ctx) {
    const { db } = ctx.deps.database;
    const { tenantId } = ctx.caller;
    const sp = await requireServicePrincipal(db, tenantId, ctx.params.id);
    await updateServicePrincipal(db, tenantId, sp.applicationId, ctx.body, actorOf(ctx.caller));
    return spView(await requireServicePrincipal(db, tenantId, sp.id));
  },
});

export const listAssignedToRoute = defineRoute({
  method: "GET",
  path: "/api/v1/servicePrincipals/{id}/appRoleAssignedTo",
  operationId: "listAppRoleAssignedTo",
  summary: "Users and groups assigned to an enterprise application",
  tags: TAGS,
  permission: PERMISSIONS.readApplications,
  params: spParams,
  response: z.object({ value: z.array(assignedToSchema) }),
  errors: [NOT_FOUND],
  async handler(ctx) {
    const rows = await listAppRoleAssignedTo(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.params.id,
    );
    return { value: rows.map(assignedToView) };
  },
});

export const assignRoute = defineRoute({
  method: "POST",
  path: "/api/v1/servicePrincipals/{id}/appRoleAssignedTo",
  operationId: "assignToServicePrincipal",
  summary: "Assign a user or a group to an enterprise application",
  description:
    "Without appRoleId: default access. Application permissions are granted through admin consent, not here.",
  tags: TAGS,
  permission: PERMISSIONS.writeAssignments,
  params: spParams,
  body: z
    .object({
      principalType: z.enum(["User", "Group"]),
      principalId: objectId("user or group"),
      appRoleId: z.guid().optional().describe("An app role allowing User members."),
    })
    .strict(),
  response: assignedToSchema,
  status: 201,
  errors: [
    NOT_FOUND,
    { status: 404, code: "principal.not_found", description: "No such user or group." },
    { status: 404, code: "app_role.not_found", description: "No such enabled app role." },
    { status: 400, code: "app_role.not_assignable", description: "Not a role for users." },
    { status: 409, code: "app_role_assignment.duplicate", description: "Already assigned." },
  ],
  async handler(ctx) {
    const { db } = ctx.deps.database;
    const { tenantId } = ctx.caller;
    const sp = await requireServicePrincipal(db, tenantId, ctx.params.id);
    const made = await assignAppRole(
      db,
      tenantId,
      { resourceApplicationId: sp.applicationId, ...ctx.body },
      actorOf(ctx.caller),
    );
    const view = (await listAppRoleAssignedTo(db, tenantId, sp.id)).find((a) => a.id === made.id);
    if (!view) throw new Error("assignment vanished after insert");
    return assignedToView(view);
  },
});

export const unassignRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/servicePrincipals/{id}/appRoleAssignedTo/{assignmentId}",
  operationId: "removeAssignmentFromServicePrincipal",
  summary: "Remove a user's or group's assignment",
  tags: TAGS,
  permission: PERMISSIONS.writeAssignments,
  params: z.object({ id: objectId("service principal"), assignmentId: objectId("assignment") }),
  response: noContent,
  status: 204,
  errors: [
    NOT_FOUND,
    { status: 404, code: "app_role_assignment.not_found", description: "No such assignment." },
  ],
  async handler(ctx) {
    await removeAppRoleAssignment(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.params.id,
      ctx.params.assignmentId,
      actorOf(ctx.caller),
    );
    return undefined;
  },
});

export const listSpGrantsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/servicePrincipals/{id}/oauth2PermissionGrants",
  operationId: "listServicePrincipalGrants",
  summary: "Delegated permissions granted to an enterprise application",
  description:
    "Tenant-wide (AllPrincipals) or to whom, by whom, when and until when. Revoke one with DELETE /api/v1/oauth2PermissionGrants/{id}.",
  tags: TAGS,
  permission: PERMISSIONS.readGrants,
  params: spParams,
  response: z.object({ value: z.array(grantSchema) }),
  errors: [NOT_FOUND],
  async handler(ctx) {
    const { db } = ctx.deps.database;
    const { tenantId } = ctx.caller;
    const sp = await requireServicePrincipal(db, tenantId, ctx.params.id);
    const grants = await listDelegatedPermissionGrants(db, tenantId, {
      clientServicePrincipalId: sp.id,
    });
    return { value: await grantViews(db, tenantId, grants) };
  },
});

const heldSchema = z
  .object({
    id: z.guid(),
    resourceId: z.guid().describe("The resource's service principal id."),
    resourceAppId: z.guid(),
    resourceDisplayName: z.string(),
    appRoleId: z.guid(),
    appRoleValue: z.string().nullable(),
    createdDateTime: dateTime,
  })
  .meta({ id: "AppRoleAssignment" });

export const listHeldRoute = defineRoute({
  method: "GET",
  path: "/api/v1/servicePrincipals/{id}/appRoleAssignments",
  operationId: "listServicePrincipalAppRoleAssignments",
  summary: "Application permissions granted to an enterprise application",
  description: "What its app-only tokens carry in `roles`.",
  tags: TAGS,
  permission: PERMISSIONS.readGrants,
  params: spParams,
  response: z.object({ value: z.array(heldSchema) }),
  errors: [NOT_FOUND],
  async handler(ctx) {
    const held = await listAppRoleAssignmentsHeld(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.params.id,
    );
    return {
      value: held.map((h) => ({
        id: h.id,
        resourceId: h.resourceServicePrincipalId,
        resourceAppId: h.resourceAppId,
        resourceDisplayName: h.resourceDisplayName,
        appRoleId: h.appRoleId,
        appRoleValue: h.appRoleValue,
        createdDateTime: iso(h.createdAt),
      })),
    };
  },
});

/** Enterprise application operations (issue 7). */
export const servicePrincipalRoutes: AdminRoute[] = [
  listServicePrincipalsRoute,
  getServicePrincipalRoute,
  updateServicePrincipalRoute,
  listAssignedToRoute,
  assignRoute,
  unassignRoute,
  listSpGrantsRoute,
  listHeldRoute,
];
