import type { AuditActor } from "../activity/audit-log.ts";
import { activeRequesters, type RequestSnapshot } from "./snapshot.ts";

/**
 * The `data` of a consent request webhook: the request as it stands after the change, with the
 * acting party. Justifications and reasons are included: the receiver is the tenant's own
 * endpoint, registered by its administrators.
 */
export function webhookData(
  snapshot: RequestSnapshot,
  extra: { actor?: AuditActor; requesterId?: string } = {},
) {
  const { request, app } = snapshot;
  const actor = extra.actor ?? request.decidedBy;
  return {
    id: request.id,
    tenantId: request.tenantId,
    status: request.status,
    app: { id: app.id, appId: app.appId, displayName: app.displayName },
    scopes: snapshot.scopes,
    requesterCount: request.requesterCount,
    requesters: activeRequesters(snapshot).map((r) => ({
      userId: r.userId,
      userPrincipalName: r.userPrincipalName,
      justification: r.justification,
      requestedAt: r.requestedAt.toISOString(),
    })),
    createdAt: request.createdAt.toISOString(),
    expiresAt: request.expiresAt.toISOString(),
    decidedAt: request.decidedAt?.toISOString() ?? null,
    actor: actor ?? null,
    reason: request.decisionReason,
    ...(request.status === "approved"
      ? {
          approval: {
            scopes: request.approvedScopes,
            audience: request.approvedAudience,
            until: request.approvedUntil?.toISOString() ?? null,
          },
        }
      : {}),
    ...(extra.requesterId ? { requesterId: extra.requesterId } : {}),
  };
}
