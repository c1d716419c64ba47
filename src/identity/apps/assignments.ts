import type { Kysely } from "kysely";
import { inTransaction, isUniqueViolation } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { type AuditActor, recordAudit } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import { findApplicationById } from "./applications.ts";
import {
  insertAssignment,
  selectAssignments,
  selectGrantedRoleValues,
  selectUserAssigned,
} from "./assignment-queries.ts";
import { NIL_ROLE_ID } from "./mail-resource.ts";
import { isUuid } from "./names.ts";
import { selectRoles } from "./permission-queries.ts";
import { selectServicePrincipalById } from "./service-principal-queries.ts";
import { ensureServicePrincipal } from "./service-principals.ts";
import type { AppRole, AppRoleAssignment, PrincipalType } from "./types.ts";

/**
 * True when the user is assigned to the service principal, directly or through a group they
 * are a member of, with any role (default access included). Consent policy uses it for
 * "Assignment required?" (Entra AADSTS50105 when false).
 */
export async function isUserAssigned(
  db: Kysely<IdentityDB>,
  tenantId: string,
  servicePrincipalId: string,
  userId: string,
): Promise<boolean> {
  if (!isUuid(tenantId) || !isUuid(servicePrincipalId) || !isUuid(userId)) return false;
  return selectUserAssigned(db, tenantId, servicePrincipalId, userId);
}

/**
 * The application permissions (app role values) granted to a client service principal on the
 * resource in the tenant: the `roles` claim of an app-only (client credentials) token.
 *
 * @example
 * const roles = await grantedAppRoleValues(db, tenant.id, clientSp.id, MAIL_APPLICATION_ID);
 * // ["Mail.Read.All"]
 */
export async function grantedAppRoleValues(
  db: Kysely<IdentityDB>,
  tenantId: string,
  clientServicePrincipalId: string,
  resourceApplicationId: string,
): Promise<string[]> {
  if (!isUuid(tenantId) || !isUuid(clientServicePrincipalId) || !isUuid(resourceApplicationId))
    return [];
  return selectGrantedRoleValues(db, tenantId, clientServicePrincipalId, resourceApplicationId);
}

/** The assignments held on a resource service principal in the tenant. */
export async function listAppRoleAssignments(
  db: Kysely<IdentityDB>,
  tenantId: string,
  resourceServicePrincipalId: string,
): Promise<AppRoleAssignment[]> {
  if (!isUuid(tenantId) || !isUuid(resourceServicePrincipalId)) return [];
  return selectAssignments(db, tenantId, resourceServicePrincipalId);
}

export interface NewAppRoleAssignment {
  /** Object id of the resource application (whose service principal is assigned to). */
  resourceApplicationId: string;
  principalType: PrincipalType;
  /** A user id, a group id, or a service principal id, in the same tenant. */
  principalId: string;
  /** The role by value, e.g. "Mail.Read.All"; or give appRoleId. Neither: default access. */
  roleValue?: string | undefined;
  /** The role by id; NIL_ROLE_ID for default access. */
  appRoleId?: string | undefined;
}

const ACTIVITY: Record<PrincipalType, string> = {
  ServicePrincipal: "Add app role assignment to service principal",
  User: "Add app role assignment grant to user",
  Group: "Add app role assignment to group",
};

/**
 * Assigns a principal to the resource's service principal in the tenant (creating that service
 * principal if needed). For a service principal with an "Application" role this grants an
 * application permission (what admin consent to app permissions writes); for users and groups
 * it is an assignment (Entra "Users and groups"), NIL_ROLE_ID meaning default access.
 *
 * @example
 * await assignAppRole(db, tenant.id, { resourceApplicationId: MAIL_APPLICATION_ID,
 *   principalType: "ServicePrincipal", principalId: clientSp.id, roleValue: "Mail.Read.All" }, CLI_ACTOR);
 */
export async function assignAppRole(
  db: Kysely<IdentityDB>,
  tenantId: string,
  input: NewAppRoleAssignment,
  actor: AuditActor,
): Promise<AppRoleAssignment> {
  if (!isUuid(input.principalId))
    throw new ApiError(404, "principal.not_found", `No principal "${input.principalId}".`);
  try {
    return await inTransaction(db, async (trx) => {
      const resource = await findApplicationById(trx, input.resourceApplicationId);
      if (
        !resource ||
        (resource.signInAudience === "AzureADMyOrg" && resource.tenantId !== tenantId)
      )
        throw new ApiError(
          404,
          "application.not_found",
          `No application "${input.resourceApplicationId}" is available in this tenant.`,
        );
      const resourceSp = await ensureServicePrincipal(trx, tenantId, resource.id, { actor });
      const principalName = await requirePrincipal(trx, tenantId, input);
      const role = await chooseRole(trx, resource.id, input);
      const assignment = await insertAssignment(trx, {
        tenantId,
        resourceServicePrincipalId: resourceSp.id,
        principalType: input.principalType,
        principalId: input.principalId.toLowerCase(),
        appRoleId: role?.id ?? NIL_ROLE_ID,
      });
      await recordAudit(trx, {
        tenantId,
        activity: ACTIVITY[input.principalType],
        category: "ApplicationManagement",
        actor,
        targets: [
          { type: "ServicePrincipal", id: resourceSp.id, displayName: resource.displayName },
          { type: input.principalType, id: assignment.principalId, displayName: principalName },
        ],
        modifiedProperties: [
          { name: "AppRole.Id", oldValue: null, newValue: assignment.appRoleId },
          { name: "AppRole.Value", oldValue: null, newValue: role?.value ?? null },
        ],
      });
      return assignment;
    });
  } catch (error) {
    if (isUniqueViolation(error, "app_role_assignments_key"))
      throw new ApiError(
        409,
        "app_role_assignment.duplicate",
        "The principal already holds this app role on the application.",
      );
    throw error;
  }
}

/** Checks the principal exists in the tenant and returns a name for the audit trail. */
async function requirePrincipal(
  trx: Kysely<IdentityDB>,
  tenantId: string,
  input: NewAppRoleAssignment,
): Promise<string> {
  const id = input.principalId.toLowerCase();
  let name: string | undefined;
  if (input.principalType === "User") {
    const user = await trx
      .selectFrom("identity.users")
      .select("user_principal_name")
      .where("tenant_id", "=", tenantId)
      .where("id", "=", id)
      .executeTakeFirst();
    name = user?.user_principal_name;
  } else if (input.principalType === "Group") {
    const group = await trx
      .selectFrom("identity.groups")
      .select("display_name")
      .where("tenant_id", "=", tenantId)
      .where("id", "=", id)
      .executeTakeFirst();
    name = group?.display_name;
  } else {
    const sp = await selectServicePrincipalById(trx, tenantId, id);
    if (sp) {
      const application = await findApplicationById(trx, sp.applicationId);
      name = application?.displayName ?? sp.appId;
    }
  }
  if (name === undefined)
    throw new ApiError(
      404,
      "principal.not_found",
      `No ${input.principalType === "ServicePrincipal" ? "service principal" : input.principalType.toLowerCase()} "${input.principalId}" in this tenant.`,
    );
  return name;
}

/** The role to assign (undefined for default access), checked against the principal type. */
async function chooseRole(
  trx: Kysely<IdentityDB>,
  resourceApplicationId: string,
  input: NewAppRoleAssignment,
): Promise<AppRole | undefined> {
  if (input.roleValue === undefined && (input.appRoleId ?? NIL_ROLE_ID) === NIL_ROLE_ID)
    return undefined;
  const roles = await selectRoles(trx, resourceApplicationId);
  const wanted = input.roleValue?.trim();
  const role =
    wanted !== undefined
      ? (roles.find((r) => r.value === wanted) ??
        roles.find((r) => r.value.toLowerCase() === wanted.toLowerCase()))
      : roles.find((r) => r.id === input.appRoleId?.toLowerCase());
  const memberType = input.principalType === "ServicePrincipal" ? "Application" : "User";
  if (!role?.enabled)
    throw new ApiError(
      404,
      "app_role.not_found",
      `The application has no enabled app role "${wanted ?? input.appRoleId}".`,
    );
  if (!role.allowedMemberTypes.includes(memberType))
    throw new ApiError(
      400,
      "app_role.not_assignable",
      `The app role "${role.value}" cannot be assigned to ${
        memberType === "Application" ? "applications" : "users or groups"
      }: it allows ${role.allowedMemberTypes.join(" and ")} members only.`,
    );
  return role;
}
