import type { Kysely } from "kysely";
import { listExposedScopes } from "../apps/index.ts";
import { listDelegatedPermissionGrants } from "../consent/index.ts";
import type { IdentityDB } from "../db.ts";
import { isUuid } from "../directory/index.ts";
import { notFound } from "./decide.ts";
import { loadRequestPolicy } from "./policy.ts";
import { selectSpState } from "./service-principal-queries.ts";
import { loadRequestSnapshot, nameScopes, type RequestSnapshot } from "./snapshot.ts";
import type { ApprovalAudience, ConsentRequestViewer, ResourceScopes } from "./types.ts";
import { capabilitiesOf, requireMayView, resolveViewer, type ViewerCapabilities } from "./viewer.ts";
import { type ConsentRequestSummary, summaryOf } from "./views.ts";

/** One resource's part of the scope diff: what was asked, what everyone already has, what is new. */
export interface ScopeDiff {
  resourceAppId: string;
  resourceDisplayName: string;
  requested: Array<{
    value: string;
    displayName: string;
    description: string;
    adminConsentRequired: boolean;
  }>;
  /** Covered by an unexpired grant for everyone (AllPrincipals). */
  alreadyGranted: string[];
  /** What approving would add. */
  new: string[];
}

export interface ConsentRequestDetail extends ConsentRequestSummary {
  requesters: Array<{
    userId: string;
    userPrincipalName: string;
    displayName: string;
    justification: string;
    scopes: ResourceScopes[];
    requestedAt: Date;
    updatedAt: Date;
    withdrawnAt: Date | null;
  }>;
  scopeDiff: ScopeDiff[];
  approval: { scopes: ResourceScopes[]; audience: ApprovalAudience; until: Date | null } | null;
  /** The app's enterprise app in the tenant, if it has one. */
  servicePrincipal: { id: string; blocked: boolean } | null;
  /** What the caller may do, and why not: shown before they try. */
  viewer: ViewerCapabilities;
}

async function scopeDiff(
  db: Kysely<IdentityDB>,
  snapshot: RequestSnapshot,
  spId: string | undefined,
  now: Date,
): Promise<ScopeDiff[]> {
  const { tenantId } = snapshot.request;
  const grants = spId
    ? await listDelegatedPermissionGrants(db, tenantId, { clientServicePrincipalId: spId })
    : [];
  const diff: ScopeDiff[] = [];
  for (const [i, part] of snapshot.asked.entries()) {
    const named = snapshot.scopes[i];
    const exposed = await listExposedScopes(db, part.resourceApplicationId);
    const everyone = new Set(
      grants
        .filter(
          (g) =>
            g.consentType === "AllPrincipals" &&
            g.resourceApplicationId === part.resourceApplicationId &&
            (g.expiresAt === null || g.expiresAt > now),
        )
        .flatMap((g) => g.scopes),
    );
    diff.push({
      resourceAppId: named?.resourceAppId ?? part.resourceApplicationId,
      resourceDisplayName: named?.resourceDisplayName ?? "Unknown resource",
      requested: part.scopes.map((value) => {
        const s = exposed.find((e) => e.value === value);
        return {
          value,
          displayName: s?.adminConsentDisplayName ?? value,
          description: s?.adminConsentDescription ?? "",
          adminConsentRequired: s?.adminConsentRequired ?? true,
        };
      }),
      alreadyGranted: part.scopes.filter((s) => everyone.has(s)),
      new: part.scopes.filter((s) => !everyone.has(s)),
    });
  }
  return diff;
}

/**
 * One request with its requesters, the scope diff against the grants that exist, the decision,
 * and the viewer's capabilities (reviewer now? may approve, and if not, why). 404
 * consent_request.not_found outside the tenant.
 */
export async function getConsentRequest(
  db: Kysely<IdentityDB>,
  tenantId: string,
  requestId: string,
  viewer: ConsentRequestViewer,
  now: Date = new Date(),
): Promise<ConsentRequestDetail> {
  const snapshot = isUuid(requestId)
    ? await loadRequestSnapshot(db, tenantId, requestId.toLowerCase())
    : undefined;
  if (!snapshot) throw notFound(requestId);
  const { request } = snapshot;
  const policy = await loadRequestPolicy(db, tenantId);
  const resolved = await resolveViewer(db, tenantId, viewer, policy.reviewers);
  requireMayView(resolved);
  const sp = await selectSpState(db, tenantId, { applicationId: request.clientApplicationId });
  return {
    ...summaryOf(snapshot, now),
    requesters: await Promise.all(
      snapshot.requesters.map(async (r) => ({
        userId: r.userId,
        userPrincipalName: r.userPrincipalName,
        displayName: r.displayName,
        justification: r.justification,
        scopes: await nameScopes(db, r.scopes),
        requestedAt: r.requestedAt,
        updatedAt: r.updatedAt,
        withdrawnAt: r.withdrawnAt,
      })),
    ),
    scopeDiff: await scopeDiff(db, snapshot, sp?.id, now),
    approval:
      request.status === "approved" && request.approvedAudience
        ? {
            scopes: await nameScopes(db, request.approvedScopes ?? []),
            audience: request.approvedAudience,
            until: request.approvedUntil,
          }
        : null,
    servicePrincipal: sp ? { id: sp.id, blocked: sp.blocked } : null,
    viewer: capabilitiesOf(resolved, request, snapshot.scopes, now),
  };
}
