import { z } from "zod";
import { ApiError } from "../../../platform/http/errors.ts";
import { pageSchema } from "../../activity/index.ts";
import {
  createDirectory,
  deleteUser,
  groupIdsOfUser,
  listDomains,
  principalNames,
  requireUser,
  searchUsers,
  type User,
  updateUser,
} from "../../directory/index.ts";
import { type AdminCaller, actorOf } from "../caller.ts";
import { type AdminRoute, defineRoute, type RouteContext } from "../route.ts";
import {
  dateTime,
  idParams,
  iso,
  noContent,
  PERMISSIONS,
  pageAnswer,
  patchBody,
  searchQuery,
} from "./admin-common.ts";
import { pagingQuery } from "./audit-log-filters.ts";

const TAGS = ["Users"];

export const userSchema = z
  .object({
    id: z.guid(),
    userPrincipalName: z.string().describe("Email-shaped, lower-case; unique in the tenant."),
    displayName: z.string(),
    accountEnabled: z.boolean().describe("false: the user cannot sign in (AADSTS50057)."),
    passwordSet: z.boolean().describe("Whether the user has a password to sign in with."),
    createdDateTime: dateTime,
    lastModifiedDateTime: dateTime,
  })
  .meta({ id: "User" });

export function userView(user: User): z.input<typeof userSchema> {
  return {
    id: user.id,
    userPrincipalName: user.userPrincipalName,
    displayName: user.displayName,
    accountEnabled: user.enabled,
    passwordSet: user.hasPassword,
    createdDateTime: iso(user.createdAt),
    lastModifiedDateTime: iso(user.updatedAt),
  };
}

const password = z
  .string()
  .min(1)
  .max(256)
  .describe(
    "Set once: it is stored as an argon2id hash and never shown again. Weak ones are refused.",
  );

const userParams = idParams("user");

const NOT_FOUND = {
  status: 404,
  code: "user.not_found",
  description: "No such user in this tenant.",
};

/** Refuses an administrator locking themselves out: another administrator must do it. */
function refuseSelf(caller: AdminCaller, userId: string, what: string): void {
  if (caller.kind === "delegated" && caller.userId === userId.toLowerCase())
    throw new ApiError(
      400,
      "user.self",
      `You cannot ${what} your own account: ask another administrator.`,
    );
}

function directoryOf(ctx: RouteContext<unknown, unknown, unknown>) {
  return createDirectory({ database: ctx.deps.database });
}

export const listUsersRoute = defineRoute({
  method: "GET",
  path: "/api/v1/users",
  operationId: "listUsers",
  summary: "List users, by user principal name",
  description: "Keyset pagination through @odata.nextLink; `search` narrows the list.",
  tags: TAGS,
  permission: PERMISSIONS.readDirectory,
  query: z.object({ ...searchQuery, ...pagingQuery }),
  response: pageSchema(userSchema, "UserPage"),
  errors: [
    {
      status: 400,
      code: "request.invalid_cursor",
      description: "A cursor this API did not issue.",
    },
  ],
  async handler(ctx) {
    const page = await searchUsers(ctx.deps.database.db, ctx.caller.tenantId, ctx.query);
    return pageAnswer(ctx, page.value.map(userView), page.nextCursor);
  },
});

export const createUserRoute = defineRoute({
  method: "POST",
  path: "/api/v1/users",
  operationId: "createUser",
  summary: "Create a user",
  tags: TAGS,
  permission: PERMISSIONS.writeDirectory,
  body: z
    .object({
      userPrincipalName: z.string().min(3).max(254).describe("e.g. ada@contoso.com"),
      displayName: z.string().min(1).max(256),
      password: password.optional(),
    })
    .strict(),
  response: userSchema,
  status: 201,
  errors: [
    { status: 400, code: "user.weak_password", description: "The password is too weak." },
    { status: 400, code: "user.invalid_upn", description: "Not an email-shaped name." },
    { status: 409, code: "user.duplicate_upn", description: "The name is taken in this tenant." },
  ],
  async handler(ctx) {
    const user = await directoryOf(ctx).users.create(
      ctx.caller.tenantId,
      ctx.body,
      actorOf(ctx.caller),
    );
    return userView(user);
  },
});

export const getUserRoute = defineRoute({
  method: "GET",
  path: "/api/v1/users/{id}",
  operationId: "getUser",
  summary: "One user, by id or user principal name",
  tags: TAGS,
  permission: PERMISSIONS.readDirectory,
  params: z.object({
    id: z.string().min(1).max(254).describe("Object id or user principal name."),
  }),
  response: userSchema,
  errors: [NOT_FOUND],
  handler: async (ctx) =>
    userView(await requireUser(ctx.deps.database.db, ctx.caller.tenantId, ctx.params.id)),
});

export const updateUserRoute = defineRoute({
  method: "PATCH",
  path: "/api/v1/users/{id}",
  operationId: "updateUser",
  summary: "Rename, disable or enable a user",
  description:
    "accountEnabled false blocks sign-in at once (sessions and refresh tokens included); true unblocks it.",
  tags: TAGS,
  permission: PERMISSIONS.writeDirectory,
  params: userParams,
  body: patchBody({
    displayName: z.string().min(1).max(256).optional(),
    accountEnabled: z.boolean().optional(),
  }),
  response: userSchema,
  errors: [NOT_FOUND, { status: 400, code: "user.self", description: "Disabling yourself." }],
  async handler(ctx) {
    const { tenantId } = ctx.caller;
    const actor = actorOf(ctx.caller);
    const directory = directoryOf(ctx);
    if (ctx.body.accountEnabled === false) refuseSelf(ctx.caller, ctx.params.id, "disable");
    let user = await updateUser(ctx.deps.database.db, tenantId, ctx.params.id, ctx.body, actor);
    if (ctx.body.accountEnabled !== undefined)
      user = ctx.body.accountEnabled
        ? await directory.users.enable(tenantId, user.id, actor)
        : await directory.users.disable(tenantId, user.id, actor);
    return userView(user);
  },
});

export const resetPasswordRoute = defineRoute({
  method: "POST",
  path: "/api/v1/users/{id}/password",
  operationId: "resetUserPassword",
  summary: "Set a new password for a user",
  description: 'Writes "Reset user password". The password is not echoed back.',
  tags: TAGS,
  permission: PERMISSIONS.writeDirectory,
  params: userParams,
  body: z.object({ password }).strict(),
  response: noContent,
  status: 204,
  errors: [NOT_FOUND, { status: 400, code: "user.weak_password", description: "Too weak." }],
  async handler(ctx) {
    await directoryOf(ctx).users.setPassword(
      ctx.caller.tenantId,
      ctx.params.id,
      ctx.body.password,
      actorOf(ctx.caller),
    );
    return undefined;
  },
});

export const deleteUserRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/users/{id}",
  operationId: "deleteUser",
  summary: "Delete a user for good",
  description:
    "Memberships, directory roles, app assignments and consents go with the user. Disable the account instead (PATCH accountEnabled false) to keep it.",
  tags: TAGS,
  permission: PERMISSIONS.writeDirectory,
  params: userParams,
  response: noContent,
  status: 204,
  errors: [NOT_FOUND, { status: 400, code: "user.self", description: "Deleting yourself." }],
  async handler(ctx) {
    refuseSelf(ctx.caller, ctx.params.id, "delete");
    await deleteUser(ctx.deps.database.db, ctx.caller.tenantId, ctx.params.id, actorOf(ctx.caller));
    return undefined;
  },
});

const membershipSchema = z
  .object({ id: z.guid(), displayName: z.string() })
  .meta({ id: "GroupReference" });

export const listMemberOfRoute = defineRoute({
  method: "GET",
  path: "/api/v1/users/{id}/memberOf",
  operationId: "listUserMemberOf",
  summary: "The groups a user is a member of",
  tags: TAGS,
  permission: PERMISSIONS.readDirectory,
  params: userParams,
  response: z.object({ value: z.array(membershipSchema) }),
  errors: [NOT_FOUND],
  async handler(ctx) {
    const { db } = ctx.deps.database;
    const { tenantId } = ctx.caller;
    const user = await requireUser(db, tenantId, ctx.params.id);
    const { groups } = await principalNames(db, tenantId, {
      groups: await groupIdsOfUser(db, tenantId, user.id),
    });
    groups.sort((a, b) => a.displayName.localeCompare(b.displayName));
    return { value: groups };
  },
});

const domainSchema = z
  .object({
    domain: z.string().describe("Lower-case; user principal names end in one of these."),
    createdDateTime: dateTime,
  })
  .meta({ id: "VerifiedDomain" });

export const listDomainsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/domains",
  operationId: "listVerifiedDomains",
  summary: "The organization's verified domains",
  description:
    "What the portal's New user form offers after the @. Domains are added by the platform operator (`assent domain add <domain> --tenant <ref>`).",
  tags: TAGS,
  permission: PERMISSIONS.readDirectory,
  response: z.object({ value: z.array(domainSchema) }),
  async handler(ctx) {
    const domains = await listDomains(ctx.deps.database.db, ctx.caller.tenantId);
    return {
      value: domains
        .map((d) => ({ domain: d.domain, createdDateTime: iso(d.createdAt) }))
        .sort((a, b) => a.domain.localeCompare(b.domain)),
    };
  },
});

/** The user operations (issue 7). */
export const userRoutes: AdminRoute[] = [
  listUsersRoute,
  createUserRoute,
  getUserRoute,
  updateUserRoute,
  resetPasswordRoute,
  deleteUserRoute,
  listMemberOfRoute,
  listDomainsRoute,
];
