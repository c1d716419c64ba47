import type { Kysely } from "kysely";
import { z } from "zod";
import { ApiError } from "../../../platform/http/errors.ts";
import {
  type DelegatedPermissionGrant,
  listDelegatedPermissionGrants,
  revokeDelegatedPermissionGrant,
} from "../../consent/index.ts";
import type { IdentityDB } from "../../db.ts";
import { isUuid, principalNames } from "../../directory/index.ts";
import { actorOf } from "../caller.ts";
import { type AdminRoute, defineRoute } from "../route.ts";
import { dateTime, idParams, iso, isoOrNull, noContent, PERMISSIONS } from "./admin-common.ts";

/** Delegated permission grants (Graph oAuth2PermissionGrant): what, to whom, by whom, until when. */

const TAGS = ["Permission grants"];

const grantedBySchema = z
  .object({
    type: z.enum(["user", "application", "system"]),
    id: z.string().optional(),
    userPrincipalName: z.string().optional(),
    displayName: z.string().optional(),
    name: z.string().optional(),
  })
  .meta({ id: "GrantedBy" });

export const grantSchema = z
  .object({
    id: z.guid().describe("What DELETE /api/v1/oauth2PermissionGrants/{id} takes."),
    clientId: z.guid().describe("The client's service principal (enterprise app) id."),
    clientAppId: z.guid(),
    clientDisplayName: z.string(),
    resourceApplicationId: z.guid().describe("The resource application's object id."),
    resourceAppId: z.guid(),
    resourceDisplayName: z.string(),
    consentType: z
      .enum(["AllPrincipals", "Principal", "Groups"])
      .describe("AllPrincipals: tenant-wide; Principal: one user; Groups: members of the groups."),
    principalId: z.guid().nullable(),
    principal: z
      .object({ id: z.guid(), userPrincipalName: z.string(), displayName: z.string() })
      .nullable()
      .describe("The user, for a Principal grant."),
    groups: z
      .array(z.object({ id: z.guid(), displayName: z.string().nullable() }))
      .describe("The groups, for a Groups grant (displayName null: the group was deleted)."),
    scope: z.string().describe("Space-separated, as Graph has it."),
    expiryDateTime: dateTime.nullable().describe("When the grant ends; null: never."),
    grantedBy: grantedBySchema.nullable().describe("Who granted it last."),
    createdDateTime: dateTime,
    lastModifiedDateTime: dateTime,
  })
  .meta({ id: "OAuth2PermissionGrant" });

type GrantView = z.input<typeof grantSchema>;

/** Grant views with the names of the users and groups they are for, in two queries. */
export async function grantViews(
  db: Kysely<IdentityDB>,
  tenantId: string,
  grants: DelegatedPermissionGrant[],
): Promise<GrantView[]> {
  const names = await principalNames(db, tenantId, {
    users: grants.flatMap((g) => (g.principalId ? [g.principalId] : [])),
    groups: grants.flatMap((g) => g.groupIds),
  });
  const users = new Map(names.users.map((u) => [u.id, u]));
  const groups = new Map(names.groups.map((g) => [g.id, g.displayName]));
  return grants.map((g) => {
    const grantedBy = grantedBySchema.safeParse(g.grantedBy);
    return {
      id: g.id,
      clientId: g.clientServicePrincipalId,
      clientAppId: g.clientAppId,
      clientDisplayName: g.clientDisplayName,
      resourceApplicationId: g.resourceApplicationId,
      resourceAppId: g.resourceAppId,
      resourceDisplayName: g.resourceDisplayName,
      consentType: g.consentType,
      principalId: g.principalId,
      principal: (g.principalId && users.get(g.principalId)) || null,
      groups: g.groupIds.map((id) => ({ id, displayName: groups.get(id) ?? null })),
      scope: g.scopes.join(" "),
      expiryDateTime: isoOrNull(g.expiresAt),
      grantedBy: grantedBy.success ? grantedBy.data : null,
      createdDateTime: iso(g.createdAt),
      lastModifiedDateTime: iso(g.updatedAt),
    };
  });
}

const NOT_FOUND = {
  status: 404,
  code: "grant.not_found",
  description: "No such delegated permission grant in this tenant.",
};

async function requireGrant(db: Kysely<IdentityDB>, tenantId: string, id: string) {
  const [grant] = isUuid(id)
    ? (await listDelegatedPermissionGrants(db, tenantId)).filter((g) => g.id === id.toLowerCase())
    : [];
  if (!grant)
    throw new ApiError(
      404,
      "grant.not_found",
      `No delegated permission grant "${id}" in this tenant.`,
    );
  return grant;
}

export const listGrantsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/oauth2PermissionGrants",
  operationId: "listDelegatedPermissionGrants",
  summary: "Delegated permission grants of the tenant",
  tags: TAGS,
  permission: PERMISSIONS.readGrants,
  query: z.object({
    clientId: z.string().max(128).optional().describe("Only grants to this service principal."),
    principalId: z.string().max(128).optional().describe("Only grants for this user."),
    consentType: z.enum(["AllPrincipals", "Principal", "Groups"]).optional(),
  }),
  response: z.object({ value: z.array(grantSchema) }),
  async handler(ctx) {
    const { db } = ctx.deps.database;
    const { tenantId } = ctx.caller;
    const { clientId, principalId, consentType } = ctx.query;
    const grants = await listDelegatedPermissionGrants(db, tenantId, {
      ...(clientId ? { clientServicePrincipalId: clientId.toLowerCase() } : {}),
      ...(principalId ? { principalId: principalId.toLowerCase() } : {}),
    });
    const shown = consentType ? grants.filter((g) => g.consentType === consentType) : grants;
    return { value: await grantViews(db, tenantId, shown) };
  },
});

export const getGrantRoute = defineRoute({
  method: "GET",
  path: "/api/v1/oauth2PermissionGrants/{id}",
  operationId: "getDelegatedPermissionGrant",
  summary: "One delegated permission grant",
  tags: TAGS,
  permission: PERMISSIONS.readGrants,
  params: idParams("grant"),
  response: grantSchema,
  errors: [NOT_FOUND],
  async handler(ctx) {
    const { db } = ctx.deps.database;
    const grant = await requireGrant(db, ctx.caller.tenantId, ctx.params.id);
    const [view] = await grantViews(db, ctx.caller.tenantId, [grant]);
    return view!;
  },
});

export const revokeGrantRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/oauth2PermissionGrants/{id}",
  operationId: "revokeDelegatedPermissionGrant",
  summary: "Revoke a delegated permission grant",
  description:
    'Writes "Remove delegated permission grant". Refresh tokens issued under it stop working at their next use; access tokens already issued live until they expire.',
  tags: TAGS,
  permission: PERMISSIONS.writeGrants,
  params: idParams("grant"),
  response: noContent,
  status: 204,
  errors: [NOT_FOUND],
  async handler(ctx) {
    await revokeDelegatedPermissionGrant(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.params.id,
      actorOf(ctx.caller),
    );
    return undefined;
  },
});

/** Delegated permission grants across the tenant (issue 7). */
export const grantRoutes: AdminRoute[] = [listGrantsRoute, getGrantRoute, revokeGrantRoute];
