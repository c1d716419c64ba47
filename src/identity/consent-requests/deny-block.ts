import type { Kysely } from "kysely";
import { inTransaction } from "../../platform/db/index.ts";
import { type ModifiedProperty, recordAudit } from "../activity/audit-log.ts";
import { ensureServicePrincipal } from "../apps/index.ts";
import type { IdentityDB } from "../db.ts";
import {
  type DecisionOptions,
  decide,
  lockPending,
  requireReason,
  requireReviewer,
} from "./decide.ts";
import { webhookData } from "./event-data.ts";
import { notifyRequesters } from "./notify.ts";
import { setBlocked } from "./service-principal-queries.ts";
import type { ConsentRequestViewer } from "./types.ts";
import { emitConsentRequestEvent } from "./webhook-endpoints.ts";

/**
 * Deny and block: any reviewer may (no grant power needed), with a reason the requesters see.
 * Deny closes the request and users may ask again (their next ask opens a new request). Block
 * also blocks the app's service principal in the tenant (created if the tenant has none, as
 * Entra does): nobody can consent to or use the app, and new requests are refused until it is
 * unblocked. Decision, service principal, audit event, emails and webhook: one transaction.
 */
async function close(
  db: Kysely<IdentityDB>,
  tenantId: string,
  requestId: string,
  viewer: ConsentRequestViewer,
  reason: string,
  kind: "denied" | "blocked",
  options: DecisionOptions,
) {
  const now = options.now ?? new Date();
  return inTransaction(db, async (trx) => {
    const { actor } = await requireReviewer(trx, tenantId, viewer);
    const locked = await lockPending(trx, tenantId, requestId, now);
    const snapshot = await decide(
      trx,
      locked.request,
      { status: kind, decidedBy: actor, reason },
      now,
    );
    const modified: ModifiedProperty[] = [
      { name: "Status", oldValue: "pending", newValue: kind },
      { name: "Reason", oldValue: null, newValue: reason },
    ];
    if (kind === "blocked") {
      const sp = await ensureServicePrincipal(trx, tenantId, snapshot.app.id, {
        actor,
        ...(options.correlationId ? { correlationId: options.correlationId } : {}),
      });
      await setBlocked(trx, tenantId, sp.id, true, now);
      modified.push({ name: "ServicePrincipal.Blocked", oldValue: "false", newValue: "true" });
      modified.push({ name: "ServicePrincipal.ObjectID", oldValue: null, newValue: sp.id });
    }
    await recordAudit(trx, {
      tenantId,
      activity:
        kind === "denied" ? "Deny admin consent request" : "Block app by admin consent request",
      category: "ApplicationManagement",
      actor,
      targets: [
        { type: "ConsentRequest", id: snapshot.request.id },
        { type: "Application", id: snapshot.app.id, displayName: snapshot.app.displayName },
      ],
      modifiedProperties: modified,
      additionalDetails: {
        appId: snapshot.app.appId,
        requestId: snapshot.request.id,
        requestedScopes: locked.scopes,
        justifications: locked.requesters
          .filter((r) => r.withdrawnAt === null)
          .map((r) => ({ userId: r.userId, justification: r.justification })),
      },
      ...(options.correlationId ? { correlationId: options.correlationId } : {}),
    });
    await notifyRequesters(trx, options.links, snapshot, kind);
    await emitConsentRequestEvent(
      trx,
      tenantId,
      kind === "denied" ? "consent_request.denied" : "consent_request.blocked",
      webhookData(snapshot),
      now,
    );
    return snapshot;
  });
}

/** Denies a pending request with a reason (required): 403 unless a reviewer, 409 if decided. */
export async function denyConsentRequest(
  db: Kysely<IdentityDB>,
  tenantId: string,
  requestId: string,
  viewer: ConsentRequestViewer,
  reason: string,
  options: DecisionOptions,
) {
  return close(db, tenantId, requestId, viewer, requireReason(reason, "deny"), "denied", options);
}

/** Blocks the app through a pending request, with a reason (required). */
export async function blockConsentRequest(
  db: Kysely<IdentityDB>,
  tenantId: string,
  requestId: string,
  viewer: ConsentRequestViewer,
  reason: string,
  options: DecisionOptions,
) {
  return close(db, tenantId, requestId, viewer, requireReason(reason, "block"), "blocked", options);
}
