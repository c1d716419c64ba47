import { z } from "zod";
import { ApiError } from "../../../platform/http/errors.ts";
import {
  createDirectory,
  DIRECTORY_ROLES,
  type DirectoryRoleAssignment,
  isDirectoryRole,
  listRoleAssignments,
} from "../../directory/index.ts";
import { actorOf } from "../caller.ts";
import { type AdminRoute, defineRoute } from "../route.ts";
import { dateTime, iso, noContent, objectId, PERMISSIONS } from "./admin-common.ts";

const TAGS = ["Directory roles"];
const ROLE_KEYS = DIRECTORY_ROLES.map((r) => r.key) as [string, ...string[]];

const roleDefinitionSchema = z
  .object({
    id: z.enum(ROLE_KEYS).describe("The role's key: what assignments name."),
    displayName: z.string(),
    description: z.string(),
  })
  .meta({ id: "DirectoryRoleDefinition" });

const roleAssignmentSchema = z
  .object({
    id: z.string().describe("`{principalId}:{roleDefinitionId}`: what DELETE takes."),
    principalId: z.guid().describe("The user's object id."),
    principalUserPrincipalName: z.string(),
    principalDisplayName: z.string(),
    roleDefinitionId: z.enum(ROLE_KEYS),
    roleDisplayName: z.string(),
    directoryScopeId: z.literal("/").describe("Always the whole tenant."),
    createdDateTime: dateTime,
  })
  .meta({ id: "DirectoryRoleAssignment" });

function assignmentView(a: DirectoryRoleAssignment): z.input<typeof roleAssignmentSchema> {
  return {
    id: `${a.userId}:${a.role}`,
    principalId: a.userId,
    principalUserPrincipalName: a.userPrincipalName,
    principalDisplayName: a.userDisplayName,
    roleDefinitionId: a.role,
    roleDisplayName: DIRECTORY_ROLES.find((r) => r.key === a.role)?.displayName ?? a.role,
    directoryScopeId: "/",
    createdDateTime: iso(a.createdAt),
  };
}

const roleId = z
  .string()
  .min(1)
  .max(64)
  .refine(isDirectoryRole, { message: `use one of ${ROLE_KEYS.join(", ")}` })
  .describe(`The role's key: ${ROLE_KEYS.join(", ")}.`);

export const listRoleDefinitionsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/roleManagement/directory/roleDefinitions",
  operationId: "listDirectoryRoleDefinitions",
  summary: "The directory roles Assent knows",
  tags: TAGS,
  permission: PERMISSIONS.readRoles,
  response: z.object({ value: z.array(roleDefinitionSchema) }),
  handler: async () => ({
    value: DIRECTORY_ROLES.map((r) => ({
      id: r.key,
      displayName: r.displayName,
      description: r.description,
    })),
  }),
});

export const listRoleAssignmentsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/roleManagement/directory/roleAssignments",
  operationId: "listDirectoryRoleAssignments",
  summary: "Who holds which directory role",
  tags: TAGS,
  permission: PERMISSIONS.readRoles,
  query: z.object({
    principalId: z.string().max(128).optional().describe("Only this user's roles."),
    roleDefinitionId: roleId.optional().describe("Only holders of this role."),
  }),
  response: z.object({ value: z.array(roleAssignmentSchema) }),
  async handler(ctx) {
    const { principalId, roleDefinitionId } = ctx.query;
    const all = await listRoleAssignments(ctx.deps.database.db, ctx.caller.tenantId);
    return {
      value: all
        .filter((a) => !principalId || a.userId === principalId.toLowerCase())
        .filter((a) => !roleDefinitionId || a.role === roleDefinitionId)
        .map(assignmentView),
    };
  },
});

export const assignRoleRoute = defineRoute({
  method: "POST",
  path: "/api/v1/roleManagement/directory/roleAssignments",
  operationId: "assignDirectoryRole",
  summary: "Give a user a directory role",
  description: "Takes effect on the user's next admin API request (roles are read live).",
  tags: TAGS,
  permission: PERMISSIONS.writeRoles,
  body: z.object({ principalId: objectId("user"), roleDefinitionId: roleId }).strict(),
  response: roleAssignmentSchema,
  status: 201,
  errors: [
    { status: 404, code: "user.not_found", description: "No such user in this tenant." },
    { status: 409, code: "role.already_assigned", description: "The user already holds it." },
  ],
  async handler(ctx) {
    const { tenantId } = ctx.caller;
    const role = ctx.body.roleDefinitionId;
    if (!isDirectoryRole(role)) throw new Error("unreachable: the body schema checks the role");
    const directory = createDirectory({ database: ctx.deps.database });
    await directory.roles.assign(tenantId, ctx.body.principalId, role, actorOf(ctx.caller));
    const made = (await directory.roles.list(tenantId)).find(
      (a) => a.userId === ctx.body.principalId.toLowerCase() && a.role === role,
    );
    if (!made) throw new Error("role assignment vanished after insert");
    return assignmentView(made);
  },
});

export const removeRoleAssignmentRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/roleManagement/directory/roleAssignments/{id}",
  operationId: "removeDirectoryRoleAssignment",
  summary: "Take a directory role from a user",
  tags: TAGS,
  permission: PERMISSIONS.writeRoles,
  params: z.object({
    id: z.string().min(1).max(200).describe("`{principalId}:{roleDefinitionId}`, as listed."),
  }),
  response: noContent,
  status: 204,
  errors: [{ status: 404, code: "role.not_assigned", description: "No such assignment." }],
  async handler(ctx) {
    const [userId = "", role = ""] = ctx.params.id.split(":");
    if (!isDirectoryRole(role))
      throw new ApiError(
        404,
        "role.not_assigned",
        `No role assignment "${ctx.params.id}": ids look like {principalId}:{roleDefinitionId}.`,
      );
    await createDirectory({ database: ctx.deps.database }).roles.unassign(
      ctx.caller.tenantId,
      userId,
      role,
      actorOf(ctx.caller),
    );
    return undefined;
  },
});

/** The directory role operations (issue 7). */
export const roleRoutes: AdminRoute[] = [
  listRoleDefinitionsRoute,
  listRoleAssignmentsRoute,
  assignRoleRoute,
  removeRoleAssignmentRoute,
];
