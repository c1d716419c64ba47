import type { Kysely } from "kysely";
import { inTransaction } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { recordAudit } from "../activity/audit-log.ts";
import { type ConsentType, type GrantChange, grantDelegatedPermissions } from "../consent/index.ts";
import type { IdentityDB } from "../db.ts";
import { isUuid } from "../directory/index.ts";
import { type DecisionOptions, decide, lockPending, requireReviewer } from "./decide.ts";
import { webhookData } from "./event-data.ts";
import { notifyRequesters } from "./notify.ts";
import { nameScopes, type RequestSnapshot } from "./snapshot.ts";
import type { StoredAudience, StoredResourceScopes } from "./tables.ts";
import type { ApprovalAudience, ConsentRequestViewer } from "./types.ts";
import { cannotGrantMessage, ungrantableScopes } from "./viewer.ts";
import { emitConsentRequestEvent } from "./webhook-endpoints.ts";

export interface ApproveConsentRequest {
  /** A subset of what was asked, by resource client id (or object id); omitted: everything asked. */
  scopes?: Array<{ resourceAppId: string; scopes: string[] }> | undefined;
  /** Default: everyone. */
  audience?: ApprovalAudience | undefined;
  /** The grants end then; omitted or null: they do not expire. */
  until?: Date | null | undefined;
}

function normaliseAudience(audience: ApprovalAudience | undefined): StoredAudience {
  if (!audience || audience.type === "everyone") return { type: "everyone" };
  const ids = [...new Set(audience.ids.map((id) => id.toLowerCase()))].sort();
  if (ids.length === 0 || !ids.every(isUuid))
    throw new ApiError(
      400,
      "consent_request.invalid_audience",
      `Name at least one ${audience.type === "groups" ? "group" : "user"} by object id, or approve for everyone.`,
    );
  return { type: audience.type, ids };
}

/** The approved scopes: all asked, or a subset of them (anything else: 400). */
async function approvedScopes(
  db: Kysely<IdentityDB>,
  snapshot: RequestSnapshot,
  wanted: ApproveConsentRequest["scopes"],
): Promise<StoredResourceScopes[]> {
  if (!wanted) return snapshot.asked;
  const named = await nameScopes(db, snapshot.asked);
  const result: StoredResourceScopes[] = [];
  for (const w of wanted) {
    const index = snapshot.asked.findIndex(
      (a, i) =>
        named[i]?.resourceAppId.toLowerCase() === w.resourceAppId.toLowerCase() ||
        a.resourceApplicationId === w.resourceAppId.toLowerCase(),
    );
    const asked = snapshot.asked[index];
    const scopes: string[] = [];
    for (const value of w.scopes) {
      const match = asked?.scopes.find((s) => s.toLowerCase() === value.trim().toLowerCase());
      if (!match)
        throw new ApiError(
          400,
          "consent_request.scope_not_requested",
          `"${value}" on ${w.resourceAppId} was not requested: approve a subset of the requested permissions.`,
        );
      if (!scopes.includes(match)) scopes.push(match);
    }
    if (asked && scopes.length > 0)
      result.push({ resourceApplicationId: asked.resourceApplicationId, scopes });
  }
  if (result.length === 0)
    throw new ApiError(400, "consent_request.no_scopes", "Approve at least one permission.");
  return result;
}

/**
 * Approves a pending request: all requested permissions or a subset, for everyone
 * (AllPrincipals), selected groups (one Groups grant) or selected users (a Principal grant
 * each), optionally until a date. Only a reviewer may approve, and a user needs a role that may
 * grant those permissions for the organization (403 consent_request.cannot_approve naming
 * them). The decision, the grants ("Add delegated permission grant"), "Approve admin consent
 * request", the requesters' emails and the webhook event are written in ONE transaction.
 */
export async function approveConsentRequest(
  db: Kysely<IdentityDB>,
  tenantId: string,
  requestId: string,
  viewer: ConsentRequestViewer,
  input: ApproveConsentRequest,
  options: DecisionOptions,
) {
  const now = options.now ?? new Date();
  const until = input.until ?? null;
  if (until && (Number.isNaN(until.getTime()) || until <= now))
    throw new ApiError(
      400,
      "consent_request.invalid_until",
      "The approval's end must lie in the future.",
    );
  const audience = normaliseAudience(input.audience);
  return inTransaction(db, async (trx) => {
    const actorView = await requireReviewer(trx, tenantId, viewer);
    const locked = await lockPending(trx, tenantId, requestId, now);
    const scopes = await approvedScopes(trx, locked, input.scopes);
    const approvedNamed = await nameScopes(trx, scopes);
    const refused = ungrantableScopes(actorView, approvedNamed);
    if (refused.length > 0)
      throw new ApiError(403, "consent_request.cannot_approve", cannotGrantMessage(refused), {
        scopes: refused,
      });
    const { actor } = actorView;
    const snapshot = await decide(
      trx,
      locked.request,
      {
        status: "approved",
        decidedBy: actor,
        approvedScopes: scopes,
        approvedAudience: audience,
        approvedUntil: until,
      },
      now,
    );
    const grantOptions = { now, correlationId: options.correlationId };
    const grants: GrantChange[] = [];
    for (const part of scopes) {
      const base = {
        clientApplicationId: snapshot.app.id,
        resourceApplicationId: part.resourceApplicationId,
        scopes: part.scopes,
        expiresAt: until,
      };
      const principals: Array<{
        consentType: ConsentType;
        principalId?: string;
        groupIds?: string[];
      }> =
        audience.type === "everyone"
          ? [{ consentType: "AllPrincipals" }]
          : audience.type === "groups"
            ? [{ consentType: "Groups", groupIds: audience.ids }]
            : audience.ids.map((id) => ({ consentType: "Principal" as const, principalId: id }));
      for (const p of principals)
        grants.push(
          await grantDelegatedPermissions(trx, tenantId, { ...base, ...p }, actor, grantOptions),
        );
    }
    await recordAudit(trx, {
      tenantId,
      activity: "Approve admin consent request",
      category: "ApplicationManagement",
      actor,
      targets: [
        { type: "ConsentRequest", id: snapshot.request.id },
        { type: "Application", id: snapshot.app.id, displayName: snapshot.app.displayName },
      ],
      modifiedProperties: [
        { name: "Status", oldValue: "pending", newValue: "approved" },
        { name: "ApprovedScopes", oldValue: null, newValue: approvedNamed },
        { name: "Audience", oldValue: null, newValue: audience },
        { name: "ApprovedUntil", oldValue: null, newValue: until?.toISOString() ?? null },
      ],
      additionalDetails: {
        appId: snapshot.app.appId,
        requestId: snapshot.request.id,
        requestedScopes: locked.scopes,
        grantIds: grants.map((g) => g.grant.id),
        justifications: locked.requesters
          .filter((r) => r.withdrawnAt === null)
          .map((r) => ({ userId: r.userId, justification: r.justification })),
      },
      ...(options.correlationId ? { correlationId: options.correlationId } : {}),
    });
    await notifyRequesters(trx, options.links, snapshot, "approved");
    await emitConsentRequestEvent(
      trx,
      tenantId,
      "consent_request.approved",
      webhookData(snapshot),
      now,
    );
    return { snapshot, grants };
  });
}
