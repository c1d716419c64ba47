import type { AuditActor } from "../activity/audit-log.ts";
import type { RequestRow } from "./request-queries.ts";
import type { RequestSnapshot } from "./snapshot.ts";
import type { ConsentRequestApp, ConsentRequestStatus, ResourceScopes } from "./types.ts";

/** Shapes of requests in the admin API (lists and the detail). */

/** Who decided, for people: a user (UPN), an application (its client id) or the clock. */
export interface DecidedBy {
  type: "user" | "application" | "system";
  id: string | null;
  displayName: string | null;
}

export interface ConsentRequestSummary {
  id: string;
  /** "expired" as soon as the lifetime is over, even before the sweeper records it. */
  status: ConsentRequestStatus;
  app: ConsentRequestApp;
  requesterCount: number;
  /** What the active requesters asked, merged per resource. */
  scopes: ResourceScopes[];
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
  decidedAt: Date | null;
  decidedBy: DecidedBy | null;
  /** The reviewer's reason (deny, block). */
  reason: string | null;
}

export function effectiveStatus(request: RequestRow, now: Date): ConsentRequestStatus {
  return request.status === "pending" && request.expiresAt <= now ? "expired" : request.status;
}

export function decidedByOf(actor: AuditActor | null): DecidedBy | null {
  if (!actor) return null;
  if (actor.type === "user")
    return { type: "user", id: actor.id, displayName: actor.userPrincipalName ?? null };
  if (actor.type === "application")
    return { type: "application", id: actor.id, displayName: actor.displayName ?? null };
  return { type: "system", id: null, displayName: actor.name };
}

export function summaryOf(
  snapshot: Pick<RequestSnapshot, "request" | "app" | "scopes">,
  now: Date,
): ConsentRequestSummary {
  const { request } = snapshot;
  return {
    id: request.id,
    status: effectiveStatus(request, now),
    app: snapshot.app,
    requesterCount: request.requesterCount,
    scopes: snapshot.scopes,
    createdAt: request.createdAt,
    updatedAt: request.updatedAt,
    expiresAt: request.expiresAt,
    decidedAt: request.decidedAt,
    decidedBy: decidedByOf(request.decidedBy),
    reason: request.decisionReason,
  };
}
