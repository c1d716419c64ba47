import type { Kysely } from "kysely";
import { ApiError } from "../../platform/http/errors.ts";
import type { AdminPermission } from "../apps/admin-resource.ts";
import type { IdentityDB } from "../db.ts";
import { type DirectoryRole, directoryRoleName, rolesOfUser } from "../directory/index.ts";
import type { AdminCaller } from "./caller.ts";
import { insufficientScope } from "./challenge.ts";

/**
 * What a route requires. Delegated calls need one of the permissions in `scp` AND a directory
 * role from `directoryRoles` that the user holds NOW (a token outlives a role removal by up to
 * an hour; the role check does not). App-only calls need one of the permissions in `roles`.
 */
export interface RoutePermission {
  anyOf: readonly AdminPermission[];
  /**
   * The roles a delegated caller must hold, or "checked_by_route" where the service decides who
   * may act (admin consent reviewers may be users without any role); the caller's current roles
   * are filled in either way.
   */
  directoryRoles: readonly DirectoryRole[] | "checked_by_route";
}

/**
 * Checks the caller against the route's permission; returns the caller with its current
 * directory roles filled in, or throws 403 `authorization.insufficient_scope` /
 * `authorization.role_required` naming what is missing.
 *
 * @example
 * const allowed = await authorize(db, caller, { anyOf: ["AuditLog.Read.All"], directoryRoles: ["reports_reader"] });
 */
export async function authorize(
  db: Kysely<IdentityDB>,
  caller: AdminCaller,
  permission: RoutePermission,
): Promise<AdminCaller> {
  const wanted = permission.anyOf.join(" or ");
  if (caller.kind === "application") {
    if (permits(caller, [], permission)) return caller;
    throw insufficientScope(
      `This request needs the application permission ${wanted} on Assent Admin API (the token's roles claim has ${[...caller.roles].join(", ") || "none"}). Grant it to the application's service principal, then get a new token.`,
      permission.anyOf,
      { required: permission.anyOf, granted: [...caller.roles] },
    );
  }
  if (!permission.anyOf.some((p) => caller.scopes.has(p)))
    throw insufficientScope(
      `This request needs the delegated permission ${wanted} on Assent Admin API (the token's scp claim has ${[...caller.scopes].join(", ") || "none"}). Ask for it when signing in, after an administrator has consented.`,
      permission.anyOf,
      { required: permission.anyOf, granted: [...caller.scopes] },
    );
  const held = await rolesOfUser(db, caller.tenantId, caller.userId);
  if (!permits(caller, held, permission)) {
    // Only a list of roles can refuse ("checked_by_route" always permits here).
    const required =
      permission.directoryRoles === "checked_by_route" ? [] : permission.directoryRoles;
    throw new ApiError(
      403,
      "authorization.role_required",
      `This request needs one of the directory roles ${required.map(directoryRoleName).join(", ")}; the signed-in user holds ${held.map(directoryRoleName).join(", ") || "none"}. An administrator can assign a role.`,
      { requiredRoles: required, roles: held },
    );
  }
  return { ...caller, directoryRoles: held };
}

/**
 * The rule `authorize` applies, as a yes or no for a caller whose current directory roles are
 * `held` (ignored for applications): what `GET /api/v1/me` reports as capabilities.
 */
export function permits(
  caller: AdminCaller,
  held: readonly DirectoryRole[],
  permission: RoutePermission,
): boolean {
  if (caller.kind === "application") return permission.anyOf.some((p) => caller.roles.has(p));
  if (!permission.anyOf.some((p) => caller.scopes.has(p))) return false;
  return (
    permission.directoryRoles === "checked_by_route" ||
    permission.directoryRoles.some((role) => held.includes(role))
  );
}
