import type { Kysely } from "kysely";
import { inTransaction } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { type AuditActor, type ModifiedProperty, recordAudit } from "../activity/audit-log.ts";
import { getConsentSettings, updateConsentSettings } from "../consent/index.ts";
import type { IdentityDB } from "../db.ts";
import { isDirectoryRole, isUuid } from "../directory/index.ts";
import { lockPolicy, selectPolicy, tenantExists, writePolicy } from "./policy-queries.ts";
import { selectExisting } from "./reviewer-queries.ts";
import type { StoredReviewer } from "./tables.ts";
import type { AdminConsentRequestPolicy } from "./types.ts";

/** What a tenant without a policy row has. */
export const DEFAULT_REQUEST_POLICY = Object.freeze({
  reviewers: [] as StoredReviewer[],
  notifyReviewers: true,
  remindersEnabled: true,
  requestDurationInDays: 30,
});

/** Entra allows up to 25 reviewers (users, groups and roles together). */
export const MAX_REVIEWERS = 25;

/** The policy's stored part (everything but isEnabled), defaults included. */
export async function loadRequestPolicy(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<Omit<AdminConsentRequestPolicy, "isEnabled"> & { version: number }> {
  const row = isUuid(tenantId) ? await selectPolicy(db, tenantId) : undefined;
  return row ?? { ...DEFAULT_REQUEST_POLICY, reviewers: [], version: 0 };
}

/**
 * The tenant's admin consent request policy (Entra adminConsentRequestPolicy). `isEnabled` is
 * the consent settings' "Users can request admin consent to apps they are unable to consent to".
 */
export async function getAdminConsentRequestPolicy(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<AdminConsentRequestPolicy> {
  const settings = await getConsentSettings(db, tenantId);
  const { version: _version, ...policy } = await loadRequestPolicy(db, tenantId);
  return { isEnabled: settings.adminConsentWorkflowEnabled, ...policy };
}

/** Deduplicated reviewers, each checked to exist in the tenant (roles: a directory role key). */
async function validReviewers(
  db: Kysely<IdentityDB>,
  tenantId: string,
  reviewers: readonly StoredReviewer[],
): Promise<StoredReviewer[]> {
  const seen = new Map<string, StoredReviewer>();
  for (const r of reviewers) {
    const id = r.type === "role" ? r.id.trim() : r.id.trim().toLowerCase();
    seen.set(`${r.type}:${id}`, { type: r.type, id });
  }
  const list = [...seen.values()];
  if (list.length > MAX_REVIEWERS)
    throw new ApiError(
      400,
      "consent_request_policy.too_many_reviewers",
      `At most ${MAX_REVIEWERS} reviewers (users, groups and roles together); add a group instead.`,
    );
  for (const r of list) {
    if (r.type === "role" && !isDirectoryRole(r.id))
      throw new ApiError(
        400,
        "consent_request_policy.unknown_role",
        `"${r.id}" is not a directory role: use a key such as global_administrator or cloud_application_administrator.`,
      );
  }
  for (const [type, table] of [
    ["user", "identity.users"],
    ["group", "identity.groups"],
  ] as const) {
    const ids = list.filter((r) => r.type === type).map((r) => r.id);
    const existing = await selectExisting(db, tenantId, table, ids.filter(isUuid));
    const missing = ids.filter((id) => !existing.includes(id));
    if (missing.length > 0)
      throw new ApiError(
        400,
        `consent_request_policy.unknown_${type}`,
        `No ${type} ${missing.map((m) => `"${m}"`).join(", ")} in this tenant: reviewers must exist in the directory.`,
      );
  }
  return list;
}

function checkDuration(days: number | undefined): void {
  if (days === undefined) return;
  if (!Number.isInteger(days) || days < 1 || days > 30)
    throw new ApiError(
      400,
      "consent_request_policy.invalid_duration",
      "requestDurationInDays must be a whole number of days from 1 to 30.",
    );
}

/**
 * Changes the policy. Changes take effect on the very next request (nothing is cached): new
 * requests get the new lifetime, and reviewers are resolved live everywhere. Enabling the
 * workflow needs at least one reviewer. Writes "Update admin consent request policy" with the
 * old and new values (the consent settings write their own event for isEnabled).
 *
 * @example
 * await updateAdminConsentRequestPolicy(db, tenantId, { isEnabled: true,
 *   reviewers: [{ type: "role", id: "cloud_application_administrator" }] }, actor);
 */
export async function updateAdminConsentRequestPolicy(
  db: Kysely<IdentityDB>,
  tenantId: string,
  patch: Partial<AdminConsentRequestPolicy>,
  actor: AuditActor,
  now: Date = new Date(),
): Promise<AdminConsentRequestPolicy> {
  checkDuration(patch.requestDurationInDays);
  if (!isUuid(tenantId)) throw new ApiError(404, "tenant.not_found", `No tenant "${tenantId}".`);
  return inTransaction(db, async (trx) => {
    if (!(await tenantExists(trx, tenantId)))
      throw new ApiError(404, "tenant.not_found", `No tenant "${tenantId}".`);
    const before = await lockPolicy(trx, tenantId);
    const settings = await getConsentSettings(trx, tenantId);
    const reviewers = patch.reviewers
      ? await validReviewers(trx, tenantId, patch.reviewers)
      : before.reviewers;
    const after = {
      reviewers,
      notifyReviewers: patch.notifyReviewers ?? before.notifyReviewers,
      remindersEnabled: patch.remindersEnabled ?? before.remindersEnabled,
      requestDurationInDays: patch.requestDurationInDays ?? before.requestDurationInDays,
    };
    const isEnabled = patch.isEnabled ?? settings.adminConsentWorkflowEnabled;
    if (isEnabled && after.reviewers.length === 0)
      throw new ApiError(
        400,
        "consent_request_policy.reviewers_required",
        "Choose at least one reviewer (a user, group or role) before users may request admin consent.",
      );
    await writePolicy(trx, tenantId, after, now);
    if (isEnabled !== settings.adminConsentWorkflowEnabled)
      await updateConsentSettings(trx, tenantId, { adminConsentWorkflowEnabled: isEnabled }, actor);
    const changes: ModifiedProperty[] = [];
    const compare = (name: string, oldValue: unknown, newValue: unknown) => {
      if (JSON.stringify(oldValue) !== JSON.stringify(newValue))
        changes.push({ name, oldValue, newValue });
    };
    compare("Reviewers", before.reviewers, after.reviewers);
    compare("NotifyReviewers", before.notifyReviewers, after.notifyReviewers);
    compare("RemindersEnabled", before.remindersEnabled, after.remindersEnabled);
    compare("RequestDurationInDays", before.requestDurationInDays, after.requestDurationInDays);
    if (changes.length > 0)
      await recordAudit(trx, {
        tenantId,
        activity: "Update admin consent request policy",
        category: "Policy",
        actor,
        targets: [{ type: "Policy", id: "adminConsentRequestPolicy" }],
        modifiedProperties: changes,
        additionalDetails: { version: before.version + 1 },
      });
    return { isEnabled, ...after };
  });
}
