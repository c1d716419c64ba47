import type { Kysely } from "kysely";
import { z } from "zod";
import { inTransaction, isUniqueViolation } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { type AuditActor, recordAudit } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import { isUuid } from "../directory/index.ts";
import {
  type ConditionSet,
  type PermissionGrantPolicy,
  policiesForSetting,
} from "./permission-grant-policy.ts";
import { getConsentSettings, requireTenantRow } from "./settings.ts";
import {
  insertPolicy,
  type PolicyRow,
  selectPolicies,
  updatePolicyAssignment,
} from "./settings-queries.ts";

const list = z.union([z.literal("all"), z.array(z.string().min(1).max(256)).max(200)]);

/** A condition set as the API and CLI accept it: Entra's defaults for what is left out. */
export const conditionSetSchema = z
  .object({
    permissionType: z
      .enum(["delegated", "delegatedUserConsentable", "application"])
      .default("delegated"),
    permissionClassification: z.enum(["all", "low", "medium", "high"]).default("all"),
    permissions: list.default("all"),
    resourceApplication: z.string().min(1).max(256).default("any"),
    clientApplicationIds: list.default("all"),
    clientApplicationTenantIds: list.default("all"),
    clientApplicationsFromVerifiedPublisherOnly: z.boolean().default(false),
  })
  .strict();

export const newPolicySchema = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, "use 1 to 64 letters, digits, '-' or '_'")
      .refine(
        (id) => !/^(assent|microsoft)-/i.test(id),
        "the assent- and microsoft- prefixes are reserved",
      ),
    displayName: z.string().trim().min(1).max(256),
    description: z.string().max(1024).optional(),
    includes: z.array(conditionSetSchema).min(1).max(50),
    excludes: z.array(conditionSetSchema).max(50).default([]),
    assignedToUsers: z.boolean().default(false),
  })
  .strict();

export type NewPermissionGrantPolicy = z.input<typeof newPolicySchema>;

function toPolicy(row: PolicyRow): PermissionGrantPolicy {
  return {
    id: row.id,
    displayName: row.displayName,
    includes: row.includes,
    excludes: row.excludes,
  };
}

/**
 * Creates a custom permission grant policy in the tenant; with `assignedToUsers` every user may
 * consent to what it allows (Entra: managePermissionGrantsForSelf.{id}), on top of the built-in
 * policy of the user consent setting, unless user consent is off.
 *
 * @example
 * await createPermissionGrantPolicy(db, tenant.id, { id: "sales-crm", displayName: "Sales CRM",
 *   includes: [{ clientApplicationIds: [crm.appId], permissions: ["Mail.Read"] }], assignedToUsers: true }, CLI_ACTOR);
 */
export async function createPermissionGrantPolicy(
  db: Kysely<IdentityDB>,
  tenantId: string,
  input: NewPermissionGrantPolicy,
  actor: AuditActor,
): Promise<PolicyRow> {
  const parsed = newPolicySchema.safeParse(input);
  if (!parsed.success)
    throw new ApiError(
      400,
      "permission_grant_policy.invalid",
      `The policy is not valid: ${parsed.error.issues.map((i) => `${i.path.join(".") || "policy"}: ${i.message}`).join("; ")}.`,
    );
  const p = parsed.data;
  const row: PolicyRow = {
    id: p.id,
    displayName: p.displayName,
    description: p.description ?? null,
    includes: p.includes as ConditionSet[],
    excludes: p.excludes as ConditionSet[],
    assignedToUsers: p.assignedToUsers,
  };
  try {
    return await inTransaction(db, async (trx) => {
      await requireTenantRow(trx, tenantId);
      await insertPolicy(trx, tenantId, row);
      await recordAudit(trx, {
        tenantId,
        activity: "Add permission grant policy",
        category: "Policy",
        actor,
        targets: [{ type: "Policy", id: row.id, displayName: row.displayName }],
        modifiedProperties: [
          { name: "Includes", oldValue: null, newValue: row.includes },
          { name: "Excludes", oldValue: null, newValue: row.excludes },
          { name: "AssignedToUsers", oldValue: null, newValue: row.assignedToUsers },
        ],
      });
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error, "permission_grant_policies_pkey"))
      throw new ApiError(
        409,
        "permission_grant_policy.duplicate_id",
        `The tenant already has a permission grant policy "${row.id}". Choose another id.`,
      );
    throw error;
  }
}

/** Assigns a custom policy to users (or takes it away). */
export async function assignPermissionGrantPolicyToUsers(
  db: Kysely<IdentityDB>,
  tenantId: string,
  policyId: string,
  assigned: boolean,
  actor: AuditActor,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const found =
      isUuid(tenantId) && (await updatePolicyAssignment(trx, tenantId, policyId, assigned));
    if (!found)
      throw new ApiError(
        404,
        "permission_grant_policy.not_found",
        `No permission grant policy "${policyId}" in this tenant.`,
      );
    await recordAudit(trx, {
      tenantId,
      activity: "Update authorization policy",
      category: "Policy",
      actor,
      targets: [{ type: "Policy", id: "authorizationPolicy" }],
      modifiedProperties: [
        {
          name: `managePermissionGrantsForSelf.${policyId}`,
          oldValue: !assigned,
          newValue: assigned,
        },
      ],
    });
  });
}

export async function listPermissionGrantPolicies(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<PolicyRow[]> {
  return isUuid(tenantId) ? selectPolicies(db, tenantId) : [];
}

/**
 * The policies users hold in the tenant: the built-in one of the user consent setting plus the
 * custom policies assigned to users; none when user consent is off ("Do not allow user
 * consent" leaves the list empty, as in Entra).
 */
export async function userConsentPolicies(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<{ policies: PermissionGrantPolicy[]; adminConsentWorkflowEnabled: boolean }> {
  const settings = await getConsentSettings(db, tenantId);
  if (settings.userConsent === "disabled")
    return { policies: [], adminConsentWorkflowEnabled: settings.adminConsentWorkflowEnabled };
  const custom = isUuid(tenantId) ? await selectPolicies(db, tenantId, { assignedOnly: true }) : [];
  return {
    policies: [...policiesForSetting(settings.userConsent, tenantId), ...custom.map(toPolicy)],
    adminConsentWorkflowEnabled: settings.adminConsentWorkflowEnabled,
  };
}
