import type { Kysely } from "kysely";
import { inTransaction } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { hasUnsafeTextCharacters } from "../../platform/text.ts";
import { recordAudit } from "../activity/audit-log.ts";
import { getConsentSettings } from "../consent/index.ts";
import type { IdentityDB } from "../db.ts";
import { getUser, isUuid } from "../directory/index.ts";
import { selectBlockedSubjects, upsertFailure } from "../oauth/interaction/throttle-queries.ts";
import { webhookData } from "./event-data.ts";
import { expireRequest } from "./expire.ts";
import { queueNotification } from "./notify.ts";
import { loadRequestPolicy } from "./policy.ts";
import {
  insertOpenRequest,
  lockOpenRequest,
  type RequestRow,
  touchRequest,
} from "./request-queries.ts";
import { selectRequester, upsertRequester } from "./requester-queries.ts";
import { canonicalAsk, mergeResourceScopes, visibleApplication } from "./scopes.ts";
import { selectSpState } from "./service-principal-queries.ts";
import { snapshotOf } from "./snapshot.ts";
import { JUSTIFICATION_MAX_LENGTH, type SubmitConsentRequest } from "./types.ts";
import { emitConsentRequestEvent } from "./webhook-endpoints.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How many requests one user may submit in 15 minutes, for any apps, unless configured
 * (`ASSENT_CONSENT_REQUESTS_PER_USER`): each submission emails reviewers and fires webhooks, so
 * a user (or a script with their session) asking for many apps in a burst is stopped with a
 * clear message for 15 minutes. Counted in the sign-in throttle's table (same window, same
 * purge), so every node sees the same count.
 */
export const SUBMISSIONS_PER_USER = 10;
const SUBMISSION_WINDOW = { windowSeconds: 15 * 60, blockSeconds: 15 * 60 } as const;

function submissionSubject(userId: string): string {
  return `consent-request:${userId}`;
}

/** 429 consent_request.too_many while the user's submissions are held back. */
async function refuseWhenLimited(
  db: Kysely<IdentityDB>,
  tenantId: string,
  userId: string,
  limit: number,
): Promise<void> {
  if (limit <= 0) return;
  const [blocked] = await selectBlockedSubjects(db, tenantId, [submissionSubject(userId)]);
  if (!blocked) return;
  const minutes = Math.max(1, Math.ceil((blocked.blockedUntil.getTime() - Date.now()) / 60_000));
  throw new ApiError(
    429,
    "consent_request.too_many",
    `You have sent ${limit} approval requests in a short time. Wait ${minutes} minute${minutes === 1 ? "" : "s"} before you send another; the requests you already sent are with your reviewers.`,
  );
}

/** The justification, trimmed; 400 consent_request.invalid_justification when empty or too long. */
export function cleanJustification(text: string): string {
  const trimmed = (text ?? "").trim();
  if (trimmed.length === 0 || trimmed.length > JUSTIFICATION_MAX_LENGTH)
    throw new ApiError(
      400,
      "consent_request.invalid_justification",
      `Tell the reviewers why you need this app, in 1 to ${JUSTIFICATION_MAX_LENGTH} characters.`,
    );
  if (hasUnsafeTextCharacters(trimmed))
    throw new ApiError(
      400,
      "consent_request.invalid_justification",
      "Your reason cannot contain control characters or text direction overrides (U+202A to U+202E, U+2066 to U+2069): remove them and send it again.",
    );
  return trimmed;
}

/** The app's open request, created if there is none: ON CONFLICT, then a locking read. */
async function openRequestFor(
  trx: Kysely<IdentityDB>,
  input: { tenantId: string; clientApplicationId: string },
  now: Date,
  durationDays: number,
): Promise<{ request: RequestRow; created: boolean }> {
  // A concurrent decision can close the request between the two statements: then try again.
  for (let attempt = 0; attempt < 5; attempt++) {
    const expiresAt = new Date(now.getTime() + durationDays * DAY_MS);
    const inserted = await insertOpenRequest(trx, { ...input, now, expiresAt });
    if (inserted) return { request: inserted, created: true };
    const open = await lockOpenRequest(trx, input.tenantId, input.clientApplicationId);
    if (open && open.expiresAt > now) return { request: open, created: false };
    // Past its lifetime but not swept yet: expire it here, then open a new one.
    if (open) await expireRequest(trx, input.tenantId, open.id, now, undefined);
  }
  throw new ApiError(
    409,
    "consent_request.conflict",
    "The request changed while you submitted it. Submit again.",
  );
}

/**
 * Creates the tenant's open request for the app, or adds or updates this user's entry in it
 * (justification replaced, scopes merged, a withdrawn entry revived). Safe under any number of
 * concurrent submitters: the partial unique index admits one open request per app, and every
 * submitter then holds that request's row lock while writing their entry, so 50 users at once
 * make one request with 50 requesters. Writes "Create admin consent request" (or "Update admin
 * consent request" when joining), queues the reviewers' emails and the webhook event, all in
 * one transaction.
 *
 * Errors (ApiError): 429 consent_request.too_many (the user's per-user limit, see
 * SUBMISSIONS_PER_USER), 409 consent_request.workflow_disabled, 403 consent_request.app_blocked,
 * 400 consent_request.invalid_justification, 400 consent_request.unknown_scope / no_scopes,
 * 404 application.not_found / user.not_found.
 */
export async function submitConsentRequest(
  db: Kysely<IdentityDB>,
  input: SubmitConsentRequest,
  now: Date = new Date(),
): Promise<{ requestId: string; created: boolean }> {
  const justification = cleanJustification(input.justification);
  const { tenantId } = input;
  const clientApplicationId = input.clientApplicationId.toLowerCase();
  if (!isUuid(tenantId) || !isUuid(input.userId))
    throw new ApiError(404, "user.not_found", "The signed-in user does not exist in this tenant.");
  const limit = input.perUserLimit ?? SUBMISSIONS_PER_USER;
  await refuseWhenLimited(db, tenantId, input.userId, limit);
  return inTransaction(db, async (trx) => {
    const settings = await getConsentSettings(trx, tenantId);
    if (!settings.adminConsentWorkflowEnabled)
      throw new ApiError(
        409,
        "consent_request.workflow_disabled",
        "Your organization does not let users request admin consent. Ask an administrator for access.",
      );
    const user = await getUser(trx, tenantId, input.userId);
    if (!user?.enabled)
      throw new ApiError(
        404,
        "user.not_found",
        "The signed-in user does not exist in this tenant.",
      );
    const app = isUuid(clientApplicationId)
      ? await visibleApplication(trx, tenantId, clientApplicationId)
      : undefined;
    if (!app)
      throw new ApiError(
        404,
        "application.not_found",
        `No application "${input.clientApplicationId}" in this tenant.`,
      );
    const sp = await selectSpState(trx, tenantId, { applicationId: app.id });
    if (sp?.blocked)
      throw new ApiError(
        403,
        "consent_request.app_blocked",
        `${app.displayName} is blocked in your organization: an administrator refused it, and new requests are not accepted.`,
      );
    const asked = await canonicalAsk(trx, tenantId, input.requested);
    const policy = await loadRequestPolicy(trx, tenantId);
    const { request, created } = await openRequestFor(
      trx,
      { tenantId, clientApplicationId: app.id },
      now,
      policy.requestDurationInDays,
    );
    // The request row is locked by us from here on: entries of this request cannot race.
    const before = await selectRequester(trx, tenantId, request.id, user.id);
    const scopes = before ? mergeResourceScopes(before.scopes, asked) : asked;
    await upsertRequester(trx, {
      tenantId,
      requestId: request.id,
      userId: user.id,
      justification,
      scopes,
      now,
    });
    const joined = !before || before.withdrawnAt !== null;
    const after = await touchRequest(trx, tenantId, request.id, joined ? 1 : 0, now);
    const actor = { type: "user", id: user.id, userPrincipalName: user.userPrincipalName } as const;
    await recordAudit(trx, {
      tenantId,
      activity: created ? "Create admin consent request" : "Update admin consent request",
      category: "ApplicationManagement",
      actor,
      targets: [
        { type: "ConsentRequest", id: request.id },
        { type: "Application", id: app.id, displayName: app.displayName },
      ],
      modifiedProperties: [
        { name: "RequestedScopes", oldValue: before?.scopes ?? null, newValue: scopes },
        { name: "Justification", oldValue: before?.justification ?? null, newValue: justification },
      ],
      additionalDetails: {
        appId: app.appId,
        requestId: request.id,
        requesterCount: after.requesterCount,
      },
      ...(input.correlationId ? { correlationId: input.correlationId } : {}),
    });
    const snapshot = await snapshotOf(trx, after);
    await emitConsentRequestEvent(
      trx,
      tenantId,
      created ? "consent_request.created" : "consent_request.updated",
      webhookData(snapshot, { actor, requesterId: user.id }),
      now,
    );
    if (created && policy.notifyReviewers)
      await queueNotification(trx, { tenantId, requestId: request.id, event: "created" });
    if (limit > 0) {
      const counted = await upsertFailure(trx, tenantId, submissionSubject(user.id), {
        limit,
        ...SUBMISSION_WINDOW,
      });
      // This submission was the last one allowed: the next ones are refused for a while.
      if (counted.blocked)
        await recordAudit(trx, {
          tenantId,
          activity: "Limit admin consent requests",
          category: "ApplicationManagement",
          actor,
          targets: [{ type: "User", id: user.id, displayName: user.userPrincipalName }],
          additionalDetails: {
            limit,
            windowSeconds: SUBMISSION_WINDOW.windowSeconds,
            blockSeconds: SUBMISSION_WINDOW.blockSeconds,
          },
          ...(input.correlationId ? { correlationId: input.correlationId } : {}),
        });
    }
    return { requestId: request.id, created };
  });
}
