import type { Kysely } from "kysely";
import { inTransaction } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { type AuditActor, type ModifiedProperty, recordAudit } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import { isUuid } from "../directory/index.ts";
import { policiesForSetting, type UserConsentSetting } from "./permission-grant-policy.ts";
import { lockSettings, selectSettings, updateSettings } from "./settings-queries.ts";

/** A tenant's consent settings (Entra: user consent settings and admin consent settings). */
export interface ConsentSettings {
  userConsent: UserConsentSetting;
  /** "Users can request admin consent to apps they are unable to consent to". */
  adminConsentWorkflowEnabled: boolean;
}

export const USER_CONSENT_SETTINGS: readonly UserConsentSetting[] = [
  "disabled",
  "verified_publishers_low_impact",
  "all_apps",
];

/**
 * What a tenant without a settings row has: Entra's recommended option for new tenants (users
 * consent to low-impact permissions of apps from verified publishers or their own organisation)
 * and no workflow, so nothing needs seeding when a tenant is created.
 */
export const DEFAULT_CONSENT_SETTINGS: Readonly<ConsentSettings> = Object.freeze({
  userConsent: "verified_publishers_low_impact",
  adminConsentWorkflowEnabled: false,
});

export function isUserConsentSetting(value: string): value is UserConsentSetting {
  return (USER_CONSENT_SETTINGS as readonly string[]).includes(value);
}

/** The tenant's consent settings, defaults included. */
export async function getConsentSettings(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<ConsentSettings> {
  if (!isUuid(tenantId)) return { ...DEFAULT_CONSENT_SETTINGS };
  return (await selectSettings(db, tenantId)) ?? { ...DEFAULT_CONSENT_SETTINGS };
}

/**
 * Changes the tenant's consent settings. Changes affect future consent only: grants made under
 * the old setting stay (Entra). Each change writes its audit event with old and new values.
 *
 * @example
 * await updateConsentSettings(db, tenant.id, { userConsent: "disabled", adminConsentWorkflowEnabled: true }, CLI_ACTOR);
 */
export async function updateConsentSettings(
  db: Kysely<IdentityDB>,
  tenantId: string,
  patch: Partial<ConsentSettings>,
  actor: AuditActor,
): Promise<ConsentSettings> {
  if (patch.userConsent !== undefined && !isUserConsentSetting(patch.userConsent))
    throw new ApiError(
      400,
      "consent_settings.invalid_user_consent",
      `"${patch.userConsent}" is not a user consent setting: use ${USER_CONSENT_SETTINGS.join(", ")}.`,
    );
  return inTransaction(db, async (trx) => {
    await requireTenantRow(trx, tenantId);
    const before = await lockSettings(trx, tenantId);
    const after: ConsentSettings = {
      userConsent: patch.userConsent ?? before.userConsent,
      adminConsentWorkflowEnabled:
        patch.adminConsentWorkflowEnabled ?? before.adminConsentWorkflowEnabled,
    };
    await updateSettings(trx, tenantId, after);
    if (before.userConsent !== after.userConsent) {
      const policyIds = (s: UserConsentSetting) =>
        policiesForSetting(s, tenantId).map((p) => `managePermissionGrantsForSelf.${p.id}`);
      const changes: ModifiedProperty[] = [
        { name: "UserConsentSetting", oldValue: before.userConsent, newValue: after.userConsent },
        {
          name: "PermissionGrantPoliciesAssigned",
          oldValue: policyIds(before.userConsent),
          newValue: policyIds(after.userConsent),
        },
      ];
      await recordAudit(trx, {
        tenantId,
        activity: "Update authorization policy",
        category: "Policy",
        actor,
        targets: [{ type: "Policy", id: "authorizationPolicy" }],
        modifiedProperties: changes,
      });
    }
    if (before.adminConsentWorkflowEnabled !== after.adminConsentWorkflowEnabled) {
      await recordAudit(trx, {
        tenantId,
        activity: "Update admin consent request policy",
        category: "Policy",
        actor,
        targets: [{ type: "Policy", id: "adminConsentRequestPolicy" }],
        modifiedProperties: [
          {
            name: "IsEnabled",
            oldValue: before.adminConsentWorkflowEnabled,
            newValue: after.adminConsentWorkflowEnabled,
          },
        ],
      });
    }
    return after;
  });
}

/** Fails with `tenant.not_found` unless the tenant exists. */
export async function requireTenantRow(db: Kysely<IdentityDB>, tenantId: string): Promise<void> {
  const found = isUuid(tenantId)
    ? await db
        .selectFrom("identity.tenants")
        .select("id")
        .where("id", "=", tenantId)
        .executeTakeFirst()
    : undefined;
  if (!found) throw new ApiError(404, "tenant.not_found", `No tenant with id "${tenantId}".`);
}
