import { z } from "zod";
import { ApiError } from "../../../platform/http/errors.ts";
import { pageSchema } from "../../activity/index.ts";
import {
  createDirectory,
  deleteGroup,
  type Group,
  getGroup,
  listGroupMembers,
  searchGroups,
  updateGroup,
} from "../../directory/index.ts";
import { actorOf } from "../caller.ts";
import { type AdminRoute, defineRoute, type RouteContext } from "../route.ts";
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

const TAGS = ["Groups"];

export const groupSchema = z
  .object({
    id: z.guid(),
    displayName: z.string().describe("Unique in the tenant."),
    description: z.string().nullable(),
    createdDateTime: dateTime,
  })
  .meta({ id: "Group" });

function groupView(group: Group): z.input<typeof groupSchema> {
  return {
    id: group.id,
    displayName: group.displayName,
    description: group.description,
    createdDateTime: iso(group.createdAt),
  };
}

const memberSchema = z
  .object({
    id: z.guid().describe("The user's object id."),
    userPrincipalName: z.string(),
    displayName: z.string(),
    addedDateTime: dateTime,
  })
  .meta({ id: "GroupMember" });

const groupParams = idParams("group");
const memberParams = z.object({ id: objectId("group"), userId: objectId("user") });
const NOT_FOUND = {
  status: 404,
  code: "group.not_found",
  description: "No such group in this tenant.",
};

function directoryOf(ctx: RouteContext<unknown, unknown, unknown>) {
  return createDirectory({ database: ctx.deps.database });
}

async function requireGroupById(ctx: RouteContext<unknown, unknown, unknown>, id: string) {
  const group = await getGroup(ctx.deps.database.db, ctx.caller.tenantId, id);
  if (!group)
    throw new ApiError(404, "group.not_found", `No group with id "${id}" in this tenant.`);
  return group;
}

export const listGroupsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/groups",
  operationId: "listGroups",
  summary: "List groups, by name",
  tags: TAGS,
  permission: PERMISSIONS.readDirectory,
  query: z.object({ ...searchQuery, ...pagingQuery }),
  response: pageSchema(groupSchema, "GroupPage"),
  errors: [
    {
      status: 400,
      code: "request.invalid_cursor",
      description: "A cursor this API did not issue.",
    },
  ],
  async handler(ctx) {
    const page = await searchGroups(ctx.deps.database.db, ctx.caller.tenantId, ctx.query);
    return pageAnswer(ctx, page.value.map(groupView), page.nextCursor);
  },
});

export const createGroupRoute = defineRoute({
  method: "POST",
  path: "/api/v1/groups",
  operationId: "createGroup",
  summary: "Create a group",
  tags: TAGS,
  permission: PERMISSIONS.writeDirectory,
  body: z
    .object({
      displayName: z.string().min(1).max(256),
      description: z.string().max(1024).optional(),
    })
    .strict(),
  response: groupSchema,
  status: 201,
  errors: [{ status: 409, code: "group.duplicate_name", description: "The name is taken." }],
  async handler(ctx) {
    const group = await directoryOf(ctx).groups.create(
      ctx.caller.tenantId,
      ctx.body,
      actorOf(ctx.caller),
    );
    return groupView(group);
  },
});

export const getGroupRoute = defineRoute({
  method: "GET",
  path: "/api/v1/groups/{id}",
  operationId: "getGroup",
  summary: "One group",
  tags: TAGS,
  permission: PERMISSIONS.readDirectory,
  params: groupParams,
  response: groupSchema,
  errors: [NOT_FOUND],
  handler: async (ctx) => groupView(await requireGroupById(ctx, ctx.params.id)),
});

export const updateGroupRoute = defineRoute({
  method: "PATCH",
  path: "/api/v1/groups/{id}",
  operationId: "updateGroup",
  summary: "Rename a group or change its description",
  tags: TAGS,
  permission: PERMISSIONS.writeDirectory,
  params: groupParams,
  body: patchBody({
    displayName: z.string().min(1).max(256).optional(),
    description: z.string().max(1024).nullable().optional().describe("null clears it."),
  }),
  response: groupSchema,
  errors: [
    NOT_FOUND,
    { status: 409, code: "group.duplicate_name", description: "The name is taken." },
  ],
  async handler(ctx) {
    const group = await updateGroup(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.params.id,
      ctx.body,
      actorOf(ctx.caller),
    );
    return groupView(group);
  },
});

export const deleteGroupRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/groups/{id}",
  operationId: "deleteGroup",
  summary: "Delete a group",
  description: "Its memberships and app assignments go with it.",
  tags: TAGS,
  permission: PERMISSIONS.writeDirectory,
  params: groupParams,
  response: noContent,
  status: 204,
  errors: [NOT_FOUND],
  async handler(ctx) {
    await deleteGroup(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.params.id,
      actorOf(ctx.caller),
    );
    return undefined;
  },
});

export const listMembersRoute = defineRoute({
  method: "GET",
  path: "/api/v1/groups/{id}/members",
  operationId: "listGroupMembers",
  summary: "The members of a group (users), by user principal name",
  tags: TAGS,
  permission: PERMISSIONS.readDirectory,
  params: groupParams,
  response: z.object({ value: z.array(memberSchema) }),
  errors: [NOT_FOUND],
  async handler(ctx) {
    const group = await requireGroupById(ctx, ctx.params.id);
    const members = await listGroupMembers(ctx.deps.database.db, ctx.caller.tenantId, group.id);
    return {
      value: members.map((m) => ({
        id: m.userId,
        userPrincipalName: m.userPrincipalName,
        displayName: m.displayName,
        addedDateTime: iso(m.addedAt),
      })),
    };
  },
});

export const addMemberRoute = defineRoute({
  method: "POST",
  path: "/api/v1/groups/{id}/members",
  operationId: "addGroupMember",
  summary: "Add a user to a group",
  tags: TAGS,
  permission: PERMISSIONS.writeDirectory,
  params: groupParams,
  body: z.object({ userId: objectId("user") }).strict(),
  response: noContent,
  status: 204,
  errors: [
    NOT_FOUND,
    { status: 404, code: "user.not_found", description: "No such user in this tenant." },
    { status: 409, code: "group.already_member", description: "Already a member." },
  ],
  async handler(ctx) {
    await directoryOf(ctx).groups.addMember(
      ctx.caller.tenantId,
      ctx.params.id,
      ctx.body.userId,
      actorOf(ctx.caller),
    );
    return undefined;
  },
});

export const removeMemberRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/groups/{id}/members/{userId}",
  operationId: "removeGroupMember",
  summary: "Remove a user from a group",
  tags: TAGS,
  permission: PERMISSIONS.writeDirectory,
  params: memberParams,
  response: noContent,
  status: 204,
  errors: [NOT_FOUND, { status: 404, code: "group.not_member", description: "Not a member." }],
  async handler(ctx) {
    await directoryOf(ctx).groups.removeMember(
      ctx.caller.tenantId,
      ctx.params.id,
      ctx.params.userId,
      actorOf(ctx.caller),
    );
    return undefined;
  },
});

/** The group and membership operations (issue 7). */
export const groupRoutes: AdminRoute[] = [
  listGroupsRoute,
  createGroupRoute,
  getGroupRoute,
  updateGroupRoute,
  deleteGroupRoute,
  listMembersRoute,
  addMemberRoute,
  removeMemberRoute,
];
