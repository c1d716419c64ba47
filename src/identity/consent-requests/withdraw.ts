import type { Kysely } from "kysely";
import { inTransaction } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { recordAudit } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import { getUser, isUuid } from "../directory/index.ts";
import { webhookData } from "./event-data.ts";
import { decidePending, selectRequest, touchRequest } from "./request-queries.ts";
import { selectRequester, withdrawRequester } from "./requester-queries.ts";
import { requesterViewOf } from "./requester-view.ts";
import { snapshotOf } from "./snapshot.ts";
import type { RequesterView } from "./types.ts";
import { emitConsentRequestEvent } from "./webhook-endpoints.ts";

function notFound(): ApiError {
  return new ApiError(
    404,
    "consent_request.not_found",
    "No such consent request of yours in this organization.",
  );
}

/**
 * Withdraws THIS user's entry. The request itself becomes "withdrawn" when no active requester
 * remains; otherwise it stays pending for the others. Writes "Withdraw admin consent request"
 * and the webhook event (withdrawn, or updated) in one transaction. Withdrawing twice is a
 * no-op that returns the view.
 *
 * Errors: 404 consent_request.not_found, 409 consent_request.not_pending.
 */
export async function withdrawConsentRequest(
  db: Kysely<IdentityDB>,
  input: { tenantId: string; requestId: string; userId: string; correlationId?: string },
  now: Date = new Date(),
): Promise<RequesterView> {
  const { tenantId } = input;
  if (![tenantId, input.requestId, input.userId].every(isUuid)) throw notFound();
  const requestId = input.requestId.toLowerCase();
  const userId = input.userId.toLowerCase();
  return inTransaction(db, async (trx) => {
    const request = await selectRequest(trx, tenantId, requestId, { forUpdate: true });
    const entry = request ? await selectRequester(trx, tenantId, requestId, userId) : undefined;
    if (!request || !entry) throw notFound();
    if (entry.withdrawnAt === null) {
      if (request.status !== "pending" || request.expiresAt <= now)
        throw new ApiError(
          409,
          "consent_request.not_pending",
          `The request is ${request.status === "pending" ? "expired" : request.status}: only a pending request can be withdrawn.`,
        );
      await withdrawRequester(trx, tenantId, requestId, userId, now);
      let after = await touchRequest(trx, tenantId, requestId, -1, now);
      const user = await getUser(trx, tenantId, userId);
      const actor = {
        type: "user",
        id: userId,
        ...(user ? { userPrincipalName: user.userPrincipalName } : {}),
      } as const;
      if (after.requesterCount === 0)
        after =
          (await decidePending(
            trx,
            tenantId,
            requestId,
            { status: "withdrawn", decidedBy: actor },
            now,
          )) ?? after;
      const snapshot = await snapshotOf(trx, after);
      await recordAudit(trx, {
        tenantId,
        activity: "Withdraw admin consent request",
        category: "ApplicationManagement",
        actor,
        targets: [
          { type: "ConsentRequest", id: requestId },
          { type: "Application", id: snapshot.app.id, displayName: snapshot.app.displayName },
        ],
        modifiedProperties: [
          { name: "Status", oldValue: "pending", newValue: after.status },
          {
            name: "RequesterCount",
            oldValue: request.requesterCount,
            newValue: after.requesterCount,
          },
        ],
        additionalDetails: { appId: snapshot.app.appId, requestId, scopes: entry.scopes },
        ...(input.correlationId ? { correlationId: input.correlationId } : {}),
      });
      await emitConsentRequestEvent(
        trx,
        tenantId,
        after.status === "withdrawn" ? "consent_request.withdrawn" : "consent_request.updated",
        webhookData(snapshot, { actor, requesterId: userId }),
        now,
      );
      const view = await requesterViewOf(trx, snapshot, userId, now);
      if (!view) throw new Error("the requester vanished during withdrawal");
      return view;
    }
    const snapshot = await snapshotOf(trx, request);
    const view = await requesterViewOf(trx, snapshot, userId, now);
    if (!view) throw notFound();
    return view;
  });
}
