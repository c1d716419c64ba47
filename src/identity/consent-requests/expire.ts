import type { Kysely } from "kysely";
import { type AuditActor, recordAudit } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import { webhookData } from "./event-data.ts";
import type { LinkContext } from "./links.ts";
import { queueNotification, sendNotification } from "./notify.ts";
import { decidePending, type RequestRow } from "./request-queries.ts";
import { snapshotOf } from "./snapshot.ts";
import { emitConsentRequestEvent } from "./webhook-endpoints.ts";

/** The actor of expiry in the audit log. */
export const EXPIRY_ACTOR: AuditActor = { type: "system", name: "assent-consent-requests" };

/**
 * Expires a pending request whose lifetime is over (conditional UPDATE: once, whoever gets
 * there): "Expire admin consent request", the requesters' and reviewers' emails (now when
 * `links` are known, else through a notification job) and the webhook event, in `trx`.
 *
 * @returns the expired request, or undefined if it was not pending and due.
 */
export async function expireRequest(
  trx: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
  now: Date,
  links: LinkContext | undefined,
): Promise<RequestRow | undefined> {
  const row = await decidePending(
    trx,
    tenantId,
    id,
    { status: "expired", decidedBy: EXPIRY_ACTOR },
    now,
  );
  if (!row) return undefined;
  if (row.expiresAt > now) throw new Error(`consent request ${id} is not due to expire`);
  const snapshot = await snapshotOf(trx, row);
  await recordAudit(trx, {
    tenantId,
    activity: "Expire admin consent request",
    category: "ApplicationManagement",
    actor: EXPIRY_ACTOR,
    targets: [
      { type: "ConsentRequest", id },
      { type: "Application", id: snapshot.app.id, displayName: snapshot.app.displayName },
    ],
    modifiedProperties: [{ name: "Status", oldValue: "pending", newValue: "expired" }],
    additionalDetails: {
      appId: snapshot.app.appId,
      requestId: id,
      expiresAt: row.expiresAt.toISOString(),
      requestedScopes: snapshot.scopes,
    },
  });
  if (links) await sendNotification(trx, links, snapshot, "expired");
  else await queueNotification(trx, { tenantId, requestId: id, event: "expired" });
  await emitConsentRequestEvent(
    trx,
    tenantId,
    "consent_request.expired",
    webhookData(snapshot),
    now,
  );
  return row;
}
