import type { Kysely } from "kysely";
import { z } from "zod";
import { ApiError } from "../../../platform/http/errors.ts";
import {
  findApplicationById,
  findResourceApplication,
  listRequiredPermissions,
  type RequiredPermissionRow,
  removeRequiredPermission,
  requireOwnApplication,
  requirePermission,
  resourceIdentifierUri,
} from "../../apps/index.ts";
import type { IdentityDB } from "../../db.ts";
import { actorOf } from "../caller.ts";
import { type AdminRoute, defineRoute } from "../route.ts";
import { idParams, noContent, objectId, PERMISSIONS } from "./admin-common.ts";
import { exposedPermissionRoutes } from "./application-exposed.ts";
import { APP_NOT_FOUND } from "./applications.ts";

/** What an app registration requires (API permissions); what it exposes is application-exposed.ts's. */

const TAGS = ["Applications"];
const appParams = idParams("application");
const childParams = (what: string) =>
  z.object({ id: objectId("application"), childId: objectId(what) });

const requiredSchema = z
  .object({
    resourceAppId: z.guid(),
    resourceDisplayName: z.string().nullable(),
    resourceUri: z.string().nullable().describe("The resource's Application ID URI."),
    id: z.guid().describe("The permission's id: what DELETE takes."),
    type: z.enum(["Scope", "Role"]).describe("Scope: delegated; Role: application permission."),
    value: z.string().nullable().describe("null when the resource no longer defines it."),
  })
  .meta({ id: "RequiredPermission" });

async function requiredViews(db: Kysely<IdentityDB>, rows: RequiredPermissionRow[]) {
  const resources = new Map(
    await Promise.all(
      [...new Set(rows.map((r) => r.resourceApplicationId))].map(
        async (id) => [id, await findApplicationById(db, id)] as const,
      ),
    ),
  );
  return rows.map((r): z.input<typeof requiredSchema> => {
    const resource = resources.get(r.resourceApplicationId);
    return {
      resourceAppId: resource?.appId ?? r.resourceApplicationId,
      resourceDisplayName: resource?.displayName ?? null,
      resourceUri: resource ? resourceIdentifierUri(resource) : null,
      id: r.permissionId,
      type: r.type,
      value: r.value,
    };
  });
}

export const listRequiredRoute = defineRoute({
  method: "GET",
  path: "/api/v1/applications/{id}/requiredResourceAccess",
  operationId: "listRequiredPermissions",
  summary: "The permissions an application requires (API permissions)",
  tags: TAGS,
  permission: PERMISSIONS.readApplications,
  params: appParams,
  response: z.object({ value: z.array(requiredSchema) }),
  errors: [APP_NOT_FOUND],
  async handler(ctx) {
    const { db } = ctx.deps.database;
    const app = await requireOwnApplication(db, ctx.caller.tenantId, ctx.params.id);
    return { value: await requiredViews(db, await listRequiredPermissions(db, app.id)) };
  },
});

export const addRequiredRoute = defineRoute({
  method: "POST",
  path: "/api/v1/applications/{id}/requiredResourceAccess",
  operationId: "addRequiredPermission",
  summary: "Add a permission the application requires",
  description:
    "What {resource}/.default requests and what admin consent grants. Adding one it already requires changes nothing.",
  tags: TAGS,
  permission: PERMISSIONS.writeApplications,
  params: appParams,
  body: z
    .object({
      resource: z
        .string()
        .min(1)
        .max(512)
        .describe("The resource's Application ID URI (api://assent-mail) or app id."),
      value: z.string().min(1).max(120).describe("e.g. Mail.Read"),
      type: z.enum(["Scope", "Role"]).default("Scope"),
    })
    .strict(),
  response: requiredSchema,
  status: 201,
  errors: [
    APP_NOT_FOUND,
    {
      status: 404,
      code: "application.unknown_scope",
      description: "No such delegated permission.",
    },
    {
      status: 404,
      code: "application.unknown_role",
      description: "No such application permission.",
    },
  ],
  async handler(ctx) {
    const { db } = ctx.deps.database;
    const { tenantId } = ctx.caller;
    const resource = await findResourceApplication(db, ctx.body.resource, { tenantId });
    if (!resource)
      throw new ApiError(
        404,
        "application.not_found",
        `No resource "${ctx.body.resource}" is available in this tenant: give an Application ID URI or an app id.`,
      );
    const row = await requirePermission(
      db,
      tenantId,
      ctx.params.id,
      { resource, value: ctx.body.value, type: ctx.body.type },
      actorOf(ctx.caller),
    );
    const [view] = await requiredViews(db, [row]);
    return view!;
  },
});

export const removeRequiredRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/applications/{id}/requiredResourceAccess/{childId}",
  operationId: "removeRequiredPermission",
  summary: "Remove a permission the application requires",
  description:
    "Grants already made stay until revoked (DELETE /api/v1/oauth2PermissionGrants/{id}).",
  tags: TAGS,
  permission: PERMISSIONS.writeApplications,
  params: childParams("permission"),
  response: noContent,
  status: 204,
  errors: [
    APP_NOT_FOUND,
    {
      status: 404,
      code: "application.required_permission_not_found",
      description: "Not required.",
    },
  ],
  async handler(ctx) {
    await removeRequiredPermission(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.params.id,
      ctx.params.childId,
      actorOf(ctx.caller),
    );
    return undefined;
  },
});

/** Required permissions, exposed scopes and app roles of app registrations (issue 7). */
export const applicationPermissionRoutes: AdminRoute[] = [
  listRequiredRoute,
  addRequiredRoute,
  removeRequiredRoute,
  ...exposedPermissionRoutes,
];
