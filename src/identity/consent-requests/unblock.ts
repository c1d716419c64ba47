import type { Kysely } from "kysely";
import { inTransaction } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { recordAudit } from "../activity/audit-log.ts";
import { findApplicationById } from "../apps/index.ts";
import { isConsentAdministrator } from "../consent/index.ts";
import type { IdentityDB } from "../db.ts";
import { isUuid } from "../directory/index.ts";
import { loadRequestPolicy } from "./policy.ts";
import { selectSpState, setBlocked } from "./service-principal-queries.ts";
import type { ConsentRequestViewer } from "./types.ts";
import { resolveViewer } from "./viewer.ts";

/**
 * Unblocks an app blocked through a consent request: its users may sign in, consent and ask
 * again. Reviewers and consent administrators may (Entra: re-enabling an enterprise app is an
 * application administrator's job). Writes "Unblock app".
 *
 * Errors: 403 consent_request.not_reviewer, 404 service_principal.not_found, 409
 * service_principal.not_blocked.
 */
export async function unblockServicePrincipal(
  db: Kysely<IdentityDB>,
  tenantId: string,
  servicePrincipalId: string,
  viewer: ConsentRequestViewer,
  options: { now?: Date; reason?: string | undefined } = {},
): Promise<{ id: string; applicationId: string; blocked: false }> {
  const now = options.now ?? new Date();
  return inTransaction(db, async (trx) => {
    const policy = await loadRequestPolicy(trx, tenantId);
    const resolved = await resolveViewer(trx, tenantId, viewer, policy.reviewers);
    if (!resolved.isReviewer && !isConsentAdministrator(resolved.roles))
      throw new ApiError(
        403,
        "consent_request.not_reviewer",
        "Unblocking an app needs a reviewer of admin consent requests or a role that may grant consent (Global, Privileged Role, Cloud Application or Application Administrator).",
      );
    const sp = isUuid(servicePrincipalId)
      ? await selectSpState(
          trx,
          tenantId,
          { id: servicePrincipalId.toLowerCase() },
          { forUpdate: true },
        )
      : undefined;
    if (!sp)
      throw new ApiError(
        404,
        "service_principal.not_found",
        `No service principal "${servicePrincipalId}" in this tenant.`,
      );
    if (!(await setBlocked(trx, tenantId, sp.id, false, now)))
      throw new ApiError(409, "service_principal.not_blocked", "The app is not blocked.");
    const app = await findApplicationById(trx, sp.applicationId);
    await recordAudit(trx, {
      tenantId,
      activity: "Unblock app",
      category: "ApplicationManagement",
      actor: resolved.actor,
      targets: [
        {
          type: "ServicePrincipal",
          id: sp.id,
          ...(app ? { displayName: app.displayName } : {}),
        },
      ],
      modifiedProperties: [
        { name: "ServicePrincipal.Blocked", oldValue: "true", newValue: "false" },
      ],
      additionalDetails: {
        ...(app ? { appId: app.appId } : {}),
        ...(options.reason?.trim() ? { reason: options.reason.trim() } : {}),
      },
    });
    return { id: sp.id, applicationId: sp.applicationId, blocked: false };
  });
}
