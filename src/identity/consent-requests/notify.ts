import type { Kysely } from "kysely";
import { enqueue, type JobHandler } from "../../platform/jobs/index.ts";
import { enqueueEmail } from "../../platform/mail/index.ts";
import type { IdentityDB } from "../db.ts";
import { groupIdsOfUser } from "../directory/index.ts";
import { requesterEmail, reviewerEmail } from "./emails.ts";
import { type LinkContext, requesterStatusUrl, reviewUrl, tryAgainUrl } from "./links.ts";
import { loadRequestPolicy } from "./policy.ts";
import { resolveReviewers } from "./reviewers.ts";
import { activeRequesters, loadRequestSnapshot, type RequestSnapshot } from "./snapshot.ts";
import type { StoredAudience } from "./tables.ts";

/**
 * Emails of the workflow, queued in the outbox through the transaction of the change they
 * report, one job per recipient with a dedupe key (request, event, user): a repeated enqueue
 * adds nothing and each recipient's message has its own retries. Reviewers are resolved at that
 * moment, and addressed by their user principal name.
 */

const SCHEMA = "identity";

/** True when an approval for `audience` covers the user. */
export async function audienceCovers(
  db: Kysely<IdentityDB>,
  tenantId: string,
  audience: StoredAudience | null,
  userId: string,
): Promise<boolean> {
  if (!audience) return false;
  if (audience.type === "everyone") return true;
  if (audience.type === "users") return audience.ids.includes(userId);
  const groups = await groupIdsOfUser(db, tenantId, userId);
  return audience.ids.some((g) => groups.includes(g));
}

/** Tells every active requester the outcome of their request. */
export async function notifyRequesters(
  trx: Kysely<IdentityDB>,
  ctx: LinkContext,
  snapshot: RequestSnapshot,
  kind: "approved" | "denied" | "blocked" | "expired",
): Promise<void> {
  const { request, app } = snapshot;
  for (const requester of activeRequesters(snapshot)) {
    const coversYou =
      kind === "approved"
        ? await audienceCovers(trx, request.tenantId, request.approvedAudience, requester.userId)
        : undefined;
    const email = requesterEmail({
      kind,
      app,
      reason: request.decisionReason,
      ...(coversYou !== undefined ? { coversYou } : {}),
      approvedUntil: request.approvedUntil,
      statusUrl: requesterStatusUrl(ctx, request.tenantId, request.id),
      tryAgainUrl: tryAgainUrl(ctx, request.tenantId, request.id, app),
    });
    await enqueueEmail(
      trx,
      SCHEMA,
      { to: requester.userPrincipalName, ...email },
      {
        tenantId: request.tenantId,
        dedupeKey: `consent_request:${request.id}:${kind}:${requester.userId}`,
      },
    );
  }
}

/** Emails every reviewer (resolved now) about a new request, the reminder or the expiry. */
export async function notifyReviewers(
  trx: Kysely<IdentityDB>,
  ctx: LinkContext,
  snapshot: RequestSnapshot,
  kind: "created" | "reminder" | "expired",
): Promise<number> {
  const { request } = snapshot;
  const policy = await loadRequestPolicy(trx, request.tenantId);
  const reviewers = await resolveReviewers(trx, request.tenantId, policy.reviewers);
  const newest = [...activeRequesters(snapshot)].sort(
    (a, b) => b.updatedAt.getTime() - a.updatedAt.getTime(),
  )[0];
  const email = reviewerEmail({
    kind,
    app: snapshot.app,
    scopes: snapshot.scopes,
    requesterCount: request.requesterCount,
    ...(newest ? { requester: newest } : {}),
    expiresAt: request.expiresAt,
    reviewUrl: reviewUrl(ctx, request.tenantId, request.id),
  });
  for (const reviewer of reviewers)
    await enqueueEmail(
      trx,
      SCHEMA,
      { to: reviewer.userPrincipalName, ...email },
      {
        tenantId: request.tenantId,
        dedupeKey: `consent_request:${request.id}:${kind}:reviewer:${reviewer.id}`,
      },
    );
  return reviewers.length;
}

/** The outbox kind that sends a request's emails later, where the caller has no public URL. */
export const NOTIFY_JOB_KIND = "consent_request.notify";

export interface NotifyPayload {
  tenantId: string;
  requestId: string;
  /** created: the reviewers; expired: the requesters and (if notified) the reviewers. */
  event: "created" | "expired";
}

/**
 * Queues a request's emails as one outbox job, in the caller's transaction. Requests are
 * submitted from the user-facing pages, which do not carry the public URL that the links in the
 * emails need; the worker does. The job commits with the change, so the guarantee is the same:
 * no change without its notification, no notification without its change.
 */
export function queueNotification(
  trx: Kysely<IdentityDB>,
  payload: NotifyPayload,
): Promise<unknown> {
  return enqueue(trx, SCHEMA, {
    kind: NOTIFY_JOB_KIND,
    payload,
    tenantId: payload.tenantId,
    dedupeKey: `consent_request:${payload.requestId}:notify:${payload.event}`,
  });
}

/** Sends the emails of `event` now, through `trx`. */
export async function sendNotification(
  trx: Kysely<IdentityDB>,
  links: LinkContext,
  snapshot: RequestSnapshot,
  event: NotifyPayload["event"],
): Promise<void> {
  const policy = await loadRequestPolicy(trx, snapshot.request.tenantId);
  if (event === "expired") await notifyRequesters(trx, links, snapshot, "expired");
  if (policy.notifyReviewers) await notifyReviewers(trx, links, snapshot, event);
}

/** The handler of NOTIFY_JOB_KIND: idempotent (the emails' dedupe keys). */
export function createNotifyHandler(
  db: Kysely<IdentityDB>,
  links: LinkContext,
): JobHandler<NotifyPayload> {
  return async (payload) => {
    await db.transaction().execute(async (trx) => {
      const snapshot = await loadRequestSnapshot(trx, payload.tenantId, payload.requestId);
      if (!snapshot) return;
      // Decided or withdrawn before the worker got to it: nothing left to review.
      if (payload.event === "created" && snapshot.request.status !== "pending") return;
      await sendNotification(trx, links, snapshot, payload.event);
    });
  };
}
