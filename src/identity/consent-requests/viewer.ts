import type { Kysely } from "kysely";
import { ApiError } from "../../platform/http/errors.ts";
import type { AuditActor } from "../activity/audit-log.ts";
import { mayGrantForOrganization } from "../consent/index.ts";
import type { IdentityDB } from "../db.ts";
import { type DirectoryRole, isUuid } from "../directory/index.ts";
import { selectViewerStatus } from "./reviewer-queries.ts";
import { fallsBackToGlobalAdministrators } from "./reviewers.ts";
import type { StoredReviewer } from "./tables.ts";
import type { ConsentRequestViewer, ResourceScopes } from "./types.ts";

/**
 * Who is looking at or acting on requests, resolved now: a user's reviewer status and roles are
 * read at every call (a removed reviewer or role stops working at once); an application calling
 * with ConsentRequest.ReadWrite.All acts as a reviewer (an administrator granted it that).
 */
export interface ResolvedViewer {
  actor: AuditActor;
  isReviewer: boolean;
  /** The user's directory roles (empty for an application). */
  roles: DirectoryRole[];
  kind: ConsentRequestViewer["kind"];
}

export async function resolveViewer(
  db: Kysely<IdentityDB>,
  tenantId: string,
  viewer: ConsentRequestViewer,
  reviewers: readonly StoredReviewer[],
): Promise<ResolvedViewer> {
  return resolveWith(db, tenantId, viewer, reviewers);
}

/**
 * `resolveViewer` under the tenant's stored policy, read in the same round trip (the list of
 * requests needs the policy for nothing else).
 */
export async function resolveViewerUnderPolicy(
  db: Kysely<IdentityDB>,
  tenantId: string,
  viewer: ConsentRequestViewer,
): Promise<ResolvedViewer> {
  return resolveWith(db, tenantId, viewer, "policy");
}

async function resolveWith(
  db: Kysely<IdentityDB>,
  tenantId: string,
  viewer: ConsentRequestViewer,
  reviewers: readonly StoredReviewer[] | "policy",
): Promise<ResolvedViewer> {
  if (viewer.kind === "application")
    return {
      kind: "application",
      actor: {
        type: "application",
        id: viewer.servicePrincipalId,
        ...(viewer.appId ? { displayName: viewer.appId } : {}),
      },
      isReviewer: true,
      roles: [],
    };
  // One statement: the user, their roles, whether the reviewers name them (and the policy's
  // reviewers). A second only for a Global Administrator the reviewers do not name: the
  // fallback when the reviewers resolve to nobody.
  const user =
    isUuid(tenantId) && isUuid(viewer.userId)
      ? await selectViewerStatus(db, tenantId, viewer.userId, reviewers)
      : undefined;
  const enabled = user?.enabled === true;
  const roles = enabled ? (user.roles as DirectoryRole[]) : [];
  const reviews =
    enabled &&
    (user.listed ||
      (roles.includes("global_administrator") &&
        (await fallsBackToGlobalAdministrators(db, tenantId, user.reviewers))));
  return {
    kind: "user",
    actor: {
      type: "user",
      id: viewer.userId,
      ...(user ? { userPrincipalName: user.userPrincipalName } : {}),
    },
    isReviewer: reviews,
    roles,
  };
}

/**
 * Reading requests (their justifications name people and reasons) is for reviewers and for
 * holders of an administrative directory role; a user who is neither gets 403.
 */
export function requireMayView(viewer: ResolvedViewer): void {
  if (viewer.kind === "user" && !viewer.isReviewer && viewer.roles.length === 0)
    throw new ApiError(
      403,
      "consent_request.not_reviewer",
      "Only reviewers of admin consent requests and administrators may read them. Ask an administrator to add you as a reviewer.",
    );
}

/** The scopes (of `scopes`) the viewer may not grant for the organization. */
export function ungrantableScopes(
  viewer: ResolvedViewer,
  scopes: readonly ResourceScopes[],
): string[] {
  if (viewer.kind === "application") return [];
  return scopes.flatMap((part) =>
    part.scopes.filter(
      (value) =>
        !mayGrantForOrganization(viewer.roles, {
          type: "delegated",
          resourceAppId: part.resourceAppId,
          value,
        }),
    ),
  );
}

/** What the viewer may do with a request, and why not. */
export interface ViewerCapabilities {
  isReviewer: boolean;
  canApprove: boolean;
  canDeny: boolean;
  canBlock: boolean;
  /** Why approving is not possible (null when it is). */
  cannotApproveReason: string | null;
}

export const NOT_REVIEWER_MESSAGE =
  "You are not a reviewer of admin consent requests in this organization. An administrator can add you (or a group or role of yours) to the reviewers.";

export function cannotGrantMessage(scopes: readonly string[]): string {
  return `Approving needs a directory role that may grant ${scopes.join(", ")} for the organization (Global Administrator or Privileged Role Administrator; Cloud Application Administrator or Application Administrator for delegated permissions). You can still deny or block the request.`;
}

export function capabilitiesOf(
  viewer: ResolvedViewer,
  request: { status: string; expiresAt: Date },
  scopes: readonly ResourceScopes[],
  now: Date,
): ViewerCapabilities {
  const open = request.status === "pending" && request.expiresAt > now;
  const refused = ungrantableScopes(viewer, scopes);
  const actionable = viewer.isReviewer && open;
  let reason: string | null = null;
  if (!viewer.isReviewer) reason = NOT_REVIEWER_MESSAGE;
  else if (!open)
    reason = `The request is ${request.status === "pending" ? "expired" : request.status}: there is nothing to decide.`;
  else if (refused.length > 0) reason = cannotGrantMessage(refused);
  return {
    isReviewer: viewer.isReviewer,
    canApprove: actionable && refused.length === 0,
    canDeny: actionable,
    canBlock: actionable,
    cannotApproveReason: reason,
  };
}
