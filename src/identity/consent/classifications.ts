import type { Kysely } from "kysely";
import { inTransaction } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { type AuditActor, recordAudit } from "../activity/audit-log.ts";
import { findApplicationById, listExposedScopes, MAIL_APPLICATION_ID } from "../apps/index.ts";
import type { IdentityDB } from "../db.ts";
import { isUuid } from "../directory/index.ts";
import {
  DEFAULT_LOW_IMPACT_SCOPES,
  type PermissionClassification,
} from "./permission-grant-policy.ts";
import { requireTenantRow } from "./settings.ts";
import { selectClassifications, upsertClassification } from "./settings-queries.ts";

export const CLASSIFICATIONS: readonly PermissionClassification[] = ["low", "medium", "high"];

export function isClassification(value: string): value is PermissionClassification {
  return (CLASSIFICATIONS as readonly string[]).includes(value);
}

/**
 * The built-in defaults: Assent Mail's minimum sign-in set is "low" in every tenant (the doc's
 * example classification in Entra), resolved here so no tenant needs rows to start with.
 */
function defaultsFor(resourceApplicationId: string): Record<string, PermissionClassification> {
  if (resourceApplicationId !== MAIL_APPLICATION_ID) return {};
  return Object.fromEntries(DEFAULT_LOW_IMPACT_SCOPES.map((s) => [s, "low" as const]));
}

/**
 * The tenant's classification of each scope of the given resources (object ids): defaults,
 * overridden by the tenant's own rows. Unclassified scopes are absent (never "low").
 */
export async function classificationsFor(
  db: Kysely<IdentityDB>,
  tenantId: string,
  resourceApplicationIds: readonly string[],
): Promise<Map<string, Record<string, PermissionClassification>>> {
  const result = new Map(resourceApplicationIds.map((id) => [id, defaultsFor(id)]));
  if (!isUuid(tenantId)) return result;
  for (const row of await selectClassifications(db, tenantId, resourceApplicationIds))
    result.set(row.resourceApplicationId, {
      ...result.get(row.resourceApplicationId),
      [row.scopeValue]: row.classification,
    });
  return result;
}

/** Every explicit classification of the tenant (defaults not included). */
export async function listClassifications(db: Kysely<IdentityDB>, tenantId: string) {
  return isUuid(tenantId) ? selectClassifications(db, tenantId) : [];
}

/**
 * Classifies a delegated permission for the tenant (Entra "Permission classifications"). As in
 * Entra, only delegated permissions that do not require admin consent can be classified.
 *
 * @example
 * await classifyPermission(db, tenant.id, { resourceApplicationId: MAIL_APPLICATION_ID, value: "Mail.ReadBasic", classification: "low" }, CLI_ACTOR);
 */
export async function classifyPermission(
  db: Kysely<IdentityDB>,
  tenantId: string,
  input: { resourceApplicationId: string; value: string; classification: PermissionClassification },
  actor: AuditActor,
): Promise<{
  resourceApplicationId: string;
  value: string;
  classification: PermissionClassification;
}> {
  if (!isClassification(input.classification))
    throw new ApiError(
      400,
      "permission_classification.invalid",
      `"${input.classification}" is not a classification: use low, medium or high.`,
    );
  return inTransaction(db, async (trx) => {
    await requireTenantRow(trx, tenantId);
    const resource = isUuid(input.resourceApplicationId)
      ? await findApplicationById(trx, input.resourceApplicationId)
      : undefined;
    if (!resource || (resource.signInAudience === "AzureADMyOrg" && resource.tenantId !== tenantId))
      throw new ApiError(404, "application.not_found", "No such resource in this tenant.");
    const scope = (await listExposedScopes(trx, resource.id)).find(
      (s) => s.value.toLowerCase() === input.value.trim().toLowerCase(),
    );
    if (!scope)
      throw new ApiError(
        404,
        "permission.not_found",
        `${resource.displayName} has no delegated permission "${input.value}".`,
      );
    if (scope.adminConsentRequired)
      throw new ApiError(
        400,
        "permission_classification.admin_only",
        `"${scope.value}" requires admin consent, so it cannot be classified: classifications only decide what users may consent to.`,
      );
    const before = (await classificationsFor(trx, tenantId, [resource.id])).get(resource.id)?.[
      scope.value
    ];
    await upsertClassification(trx, tenantId, {
      resourceApplicationId: resource.id,
      scopeValue: scope.value,
      classification: input.classification,
    });
    await recordAudit(trx, {
      tenantId,
      activity: "Add delegated permission classification",
      category: "ApplicationManagement",
      actor,
      targets: [{ type: "ServicePrincipal", id: resource.id, displayName: resource.displayName }],
      modifiedProperties: [
        { name: "PermissionName", oldValue: null, newValue: scope.value },
        { name: "Classification", oldValue: before ?? null, newValue: input.classification },
      ],
    });
    return {
      resourceApplicationId: resource.id,
      value: scope.value,
      classification: input.classification,
    };
  });
}
