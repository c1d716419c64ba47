import type { Kysely } from "kysely";
import { inTransaction } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { type AuditActor, recordAudit } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import { decodeNameCursor, type NamePage, type NameQuery, toNamePage } from "../directory/index.ts";
import { NIL_ROLE_ID } from "./mail-resource.ts";
import { isUuid } from "./names.ts";
import {
  deleteAssignment,
  type ServicePrincipalFilter,
  selectAssignedTo,
  selectAssignmentsHeldBy,
  selectServicePrincipalListing,
  selectServicePrincipalPage,
} from "./service-principal-admin-queries.ts";
import type { PrincipalType, ServicePrincipalListing } from "./types.ts";

export type { ServicePrincipalFilter };

/**
 * One page of the tenant's enterprise apps, sorted by name, matching the filter.
 *
 * @example
 * const page = await searchServicePrincipals(db, tenantId, { applicationType: "external" }, { top: 50 });
 */
export async function searchServicePrincipals(
  db: Kysely<IdentityDB>,
  tenantId: string,
  filter: ServicePrincipalFilter,
  query: Omit<NameQuery, "search">,
): Promise<NamePage<ServicePrincipalListing>> {
  const key = query.cursor ? decodeNameCursor(query.cursor, 2) : undefined;
  if (key && !isUuid(key[1]!))
    throw new ApiError(400, "request.invalid_cursor", "The cursor is not one this API issued.");
  if (!isUuid(tenantId)) return { value: [], nextCursor: undefined };
  const rows = await selectServicePrincipalPage(db, tenantId, filter, {
    after: key ? { name: key[0]!, id: key[1]! } : undefined,
    limit: query.top + 1,
  });
  return toNamePage(rows, query.top, (sp) => [sp.displayName, sp.id]);
}

/** The tenant's service principal with this object id; a 404 `service_principal.not_found` otherwise. */
export async function requireServicePrincipal(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
): Promise<ServicePrincipalListing> {
  const sp =
    isUuid(tenantId) && isUuid(id)
      ? await selectServicePrincipalListing(db, tenantId, id.toLowerCase())
      : undefined;
  if (!sp)
    throw new ApiError(
      404,
      "service_principal.not_found",
      `No service principal (enterprise app) "${id}" in this tenant.`,
    );
  return sp;
}

/** A user or group assigned to an enterprise app, with names a listing shows. */
export interface AppRoleAssignedTo {
  id: string;
  principalType: PrincipalType;
  principalId: string;
  /** The user's principal name or the group's name; null if it no longer exists. */
  principalDisplayName: string | null;
  userPrincipalName: string | null;
  /** NIL_ROLE_ID for default access. */
  appRoleId: string;
  /** The role's value; null for default access or a deleted role. */
  appRoleValue: string | null;
  createdAt: Date;
}

/** The users and groups assigned to the enterprise app (Entra "Users and groups"). */
export async function listAppRoleAssignedTo(
  db: Kysely<IdentityDB>,
  tenantId: string,
  servicePrincipalId: string,
): Promise<AppRoleAssignedTo[]> {
  const sp = await requireServicePrincipal(db, tenantId, servicePrincipalId);
  const rows = await selectAssignedTo(db, tenantId, sp.id, ["User", "Group"]);
  return rows.map((r) => ({
    id: r.id,
    principalType: r.principal_type,
    principalId: r.principal_id,
    principalDisplayName:
      r.principal_type === "User" ? (r.user_display_name ?? null) : (r.group_display_name ?? null),
    userPrincipalName: r.user_principal_name ?? null,
    appRoleId: r.app_role_id,
    appRoleValue: r.app_role_id === NIL_ROLE_ID ? null : (r.role_value ?? null),
    createdAt: r.created_at,
  }));
}

/** An application permission a service principal holds on a resource (Graph appRoleAssignment). */
export interface HeldAppRoleAssignment {
  id: string;
  resourceServicePrincipalId: string;
  resourceAppId: string;
  resourceDisplayName: string;
  appRoleId: string;
  /** Null for default access or a deleted role. */
  appRoleValue: string | null;
  createdAt: Date;
}

/**
 * The app roles the enterprise app itself holds on resources: the application permissions it
 * was granted (admin consent to app permissions), which its app-only tokens carry in `roles`.
 */
export async function listAppRoleAssignmentsHeld(
  db: Kysely<IdentityDB>,
  tenantId: string,
  servicePrincipalId: string,
): Promise<HeldAppRoleAssignment[]> {
  const sp = await requireServicePrincipal(db, tenantId, servicePrincipalId);
  const rows = await selectAssignmentsHeldBy(db, tenantId, sp.id);
  return rows.map((r) => ({
    id: r.id,
    resourceServicePrincipalId: r.resource_service_principal_id,
    resourceAppId: r.resource_app_id,
    resourceDisplayName: r.resource_display_name,
    appRoleId: r.app_role_id,
    appRoleValue: r.app_role_id === NIL_ROLE_ID ? null : (r.role_value ?? null),
    createdAt: r.created_at,
  }));
}

const REMOVED: Record<PrincipalType, string> = {
  User: "Remove app role assignment from user",
  Group: "Remove app role assignment from group",
  ServicePrincipal: "Remove app role assignment from service principal",
};

/**
 * Removes one assignment from the enterprise app. A user who had access only through it is
 * refused at the next sign-in or token refresh when assignment is required (AADSTS50105).
 * Writes Entra's "Remove app role assignment from user/group/service principal".
 */
export async function removeAppRoleAssignment(
  db: Kysely<IdentityDB>,
  tenantId: string,
  servicePrincipalId: string,
  assignmentId: string,
  actor: AuditActor,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const sp = await requireServicePrincipal(trx, tenantId, servicePrincipalId);
    const removed = isUuid(assignmentId)
      ? await deleteAssignment(trx, tenantId, sp.id, assignmentId.toLowerCase())
      : undefined;
    if (!removed)
      throw new ApiError(
        404,
        "app_role_assignment.not_found",
        `The enterprise app has no assignment "${assignmentId}".`,
      );
    await recordAudit(trx, {
      tenantId,
      activity: REMOVED[removed.principal_type],
      category: "ApplicationManagement",
      actor,
      targets: [
        { type: "ServicePrincipal", id: sp.id, displayName: sp.displayName },
        { type: removed.principal_type, id: removed.principal_id },
      ],
      modifiedProperties: [{ name: "AppRole.Id", oldValue: removed.app_role_id, newValue: null }],
    });
  });
}
