import type { Kysely, Transaction } from "kysely";
import { ApiError } from "../../platform/http/errors.ts";
import type { AuditActor } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import { isUuid } from "../directory/index.ts";
import type { LinkContext } from "./links.ts";
import { loadRequestPolicy } from "./policy.ts";
import { type Decision, decidePending, type RequestRow, selectRequest } from "./request-queries.ts";
import { type RequestSnapshot, snapshotOf } from "./snapshot.ts";
import type { ConsentRequestViewer } from "./types.ts";
import { NOT_REVIEWER_MESSAGE, type ResolvedViewer, resolveViewer } from "./viewer.ts";

/**
 * What approve, deny and block share: the reviewer check (live), the request locked and found
 * pending, and the one conditional UPDATE that makes the decision. Of two deciders at once, the
 * second waits on the row lock and then finds the request decided: 409
 * `consent_request.already_decided`, naming who decided and how.
 */

/** Options of every decision: the clock (tests shorten it) and where links point. */
export interface DecisionOptions {
  now?: Date;
  links: LinkContext;
  correlationId?: string | undefined;
}

export function notFound(id: string): ApiError {
  return new ApiError(
    404,
    "consent_request.not_found",
    `No consent request "${id}" in this tenant.`,
  );
}

function describeActor(actor: AuditActor | null): string {
  if (!actor) return "someone";
  if (actor.type === "user") return actor.userPrincipalName ?? `user ${actor.id}`;
  if (actor.type === "application") return `the application ${actor.displayName ?? actor.id}`;
  return actor.name === "assent-consent-requests" ? "the expiry clock" : actor.name;
}

/** 409 for a request that is no longer pending (or ran out of time). */
export function notPendingError(request: RequestRow, now: Date): ApiError {
  if (request.status === "pending" && request.expiresAt <= now)
    return new ApiError(
      409,
      "consent_request.expired",
      `The request expired at ${request.expiresAt.toISOString()}; the requesters can ask again.`,
      { status: "expired", expiresAt: request.expiresAt },
    );
  const when = request.decidedAt?.toISOString() ?? "an earlier time";
  return new ApiError(
    409,
    "consent_request.already_decided",
    `The request was already ${request.status} by ${describeActor(request.decidedBy)} at ${when}.`,
    { status: request.status, decidedBy: request.decidedBy, decidedAt: request.decidedAt },
  );
}

/** The viewer, refused with 403 consent_request.not_reviewer unless a reviewer now. */
export async function requireReviewer(
  trx: Kysely<IdentityDB>,
  tenantId: string,
  viewer: ConsentRequestViewer,
): Promise<ResolvedViewer> {
  const policy = await loadRequestPolicy(trx, tenantId);
  const resolved = await resolveViewer(trx, tenantId, viewer, policy.reviewers);
  if (!resolved.isReviewer)
    throw new ApiError(403, "consent_request.not_reviewer", NOT_REVIEWER_MESSAGE);
  return resolved;
}

/** The request, locked, pending and in time; else 404 or 409. */
export async function lockPending(
  trx: Transaction<IdentityDB>,
  tenantId: string,
  requestId: string,
  now: Date,
): Promise<RequestSnapshot> {
  const request = isUuid(requestId)
    ? await selectRequest(trx, tenantId, requestId.toLowerCase(), { forUpdate: true })
    : undefined;
  if (!request) throw notFound(requestId);
  if (request.status !== "pending" || request.expiresAt <= now) throw notPendingError(request, now);
  return snapshotOf(trx, request);
}

/** Makes the decision (the conditional UPDATE); 409 if someone else's decision got there first. */
export async function decide(
  trx: Transaction<IdentityDB>,
  request: RequestRow,
  decision: Decision,
  now: Date,
): Promise<RequestSnapshot> {
  const decided = await decidePending(trx, request.tenantId, request.id, decision, now);
  if (!decided) {
    const current = await selectRequest(trx, request.tenantId, request.id);
    throw current ? notPendingError(current, now) : notFound(request.id);
  }
  return snapshotOf(trx, decided);
}

/** 400 unless the reason is 1..1000 characters after trimming. */
export function requireReason(reason: string | undefined | null, action: string): string {
  const trimmed = (reason ?? "").trim();
  if (trimmed.length === 0 || trimmed.length > 1000)
    throw new ApiError(
      400,
      "consent_request.reason_required",
      `Give the requesters a reason to ${action} the request (1 to 1000 characters); they will see it.`,
    );
  return trimmed;
}
