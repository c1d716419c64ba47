import type { Kysely } from "kysely";
import type { IdentityDB } from "../db.ts";
import { isUuid } from "../directory/index.ts";
import { audienceCovers } from "./notify.ts";
import { loadRequestSnapshot, nameScopes, type RequestSnapshot } from "./snapshot.ts";
import type { RequesterView } from "./types.ts";
import { effectiveStatus } from "./views.ts";

/** The requester's view of a snapshot; undefined when the user is not one of its requesters. */
export async function requesterViewOf(
  db: Kysely<IdentityDB>,
  snapshot: RequestSnapshot,
  userId: string,
  now: Date = new Date(),
): Promise<RequesterView | undefined> {
  const { request } = snapshot;
  const entry = snapshot.requesters.find((r) => r.userId === userId);
  if (!entry) return undefined;
  const decidedWithReason = request.status === "denied" || request.status === "blocked";
  return {
    requestId: request.id,
    // "expired" as soon as the lifetime is over, even before the sweeper records it.
    status: effectiveStatus(request, now),
    app: snapshot.app,
    requester: {
      justification: entry.justification,
      requestedAt: entry.requestedAt,
      scopes: await nameScopes(db, entry.scopes),
      withdrawnAt: entry.withdrawnAt,
    },
    createdAt: request.createdAt,
    expiresAt: request.expiresAt,
    decidedAt: request.decidedAt,
    reason: decidedWithReason ? request.decisionReason : null,
    approvedForYou:
      request.status === "approved"
        ? await audienceCovers(db, request.tenantId, request.approvedAudience, userId)
        : null,
  };
}

/**
 * What the requester sees on their status page: the request's state, their own entry, the
 * reviewer's reason, and whether an approval covers them. Undefined when the request is not in
 * the tenant or the user never asked in it (the page answers 404: requests are not browsable).
 */
export async function getRequesterView(
  db: Kysely<IdentityDB>,
  input: { tenantId: string; requestId: string; userId: string },
): Promise<RequesterView | undefined> {
  if (![input.tenantId, input.requestId, input.userId].every(isUuid)) return undefined;
  const snapshot = await loadRequestSnapshot(db, input.tenantId, input.requestId.toLowerCase());
  return snapshot ? requesterViewOf(db, snapshot, input.userId.toLowerCase()) : undefined;
}
