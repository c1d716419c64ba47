import type { Kysely } from "kysely";
import type { IdentityDB } from "../db.ts";
import type { ConditionSet, UserConsentSetting } from "./permission-grant-policy.ts";

/** Queries of consent settings, classifications and custom grant policies: SQL only. */

export interface SettingsRow {
  userConsent: UserConsentSetting;
  adminConsentWorkflowEnabled: boolean;
}

export async function selectSettings(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<SettingsRow | undefined> {
  const row = await db
    .selectFrom("identity.consent_settings")
    .select(["user_consent", "admin_consent_workflow_enabled"])
    .where("tenant_id", "=", tenantId)
    .executeTakeFirst();
  return row
    ? {
        userConsent: row.user_consent,
        adminConsentWorkflowEnabled: row.admin_consent_workflow_enabled,
      }
    : undefined;
}

/** Locks the tenant's settings row for an update (creating it with the defaults first). */
export async function lockSettings(db: Kysely<IdentityDB>, tenantId: string): Promise<SettingsRow> {
  await db
    .insertInto("identity.consent_settings")
    .values({ tenant_id: tenantId })
    .onConflict((oc) => oc.column("tenant_id").doNothing())
    .execute();
  const row = await db
    .selectFrom("identity.consent_settings")
    .select(["user_consent", "admin_consent_workflow_enabled"])
    .where("tenant_id", "=", tenantId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return {
    userConsent: row.user_consent,
    adminConsentWorkflowEnabled: row.admin_consent_workflow_enabled,
  };
}

export async function updateSettings(
  db: Kysely<IdentityDB>,
  tenantId: string,
  values: SettingsRow,
): Promise<void> {
  await db
    .updateTable("identity.consent_settings")
    .set({
      user_consent: values.userConsent,
      admin_consent_workflow_enabled: values.adminConsentWorkflowEnabled,
      updated_at: new Date(),
    })
    .where("tenant_id", "=", tenantId)
    .execute();
}

export interface ClassificationRow {
  resourceApplicationId: string;
  scopeValue: string;
  classification: "low" | "medium" | "high";
}

export async function selectClassifications(
  db: Kysely<IdentityDB>,
  tenantId: string,
  resourceApplicationIds?: readonly string[],
): Promise<ClassificationRow[]> {
  let query = db
    .selectFrom("identity.permission_classifications")
    .select(["resource_application_id", "scope_value", "classification"])
    .where("tenant_id", "=", tenantId);
  if (resourceApplicationIds) {
    if (resourceApplicationIds.length === 0) return [];
    query = query.where("resource_application_id", "in", [...resourceApplicationIds]);
  }
  const rows = await query.orderBy("resource_application_id").orderBy("scope_value").execute();
  return rows.map((r) => ({
    resourceApplicationId: r.resource_application_id,
    scopeValue: r.scope_value,
    classification: r.classification,
  }));
}

/** Sets (inserts or replaces) a classification. */
export async function upsertClassification(
  db: Kysely<IdentityDB>,
  tenantId: string,
  row: ClassificationRow,
): Promise<void> {
  await db
    .insertInto("identity.permission_classifications")
    .values({
      tenant_id: tenantId,
      resource_application_id: row.resourceApplicationId,
      scope_value: row.scopeValue,
      classification: row.classification,
    })
    .onConflict((oc) =>
      oc
        .columns(["tenant_id", "resource_application_id", "scope_value"])
        .doUpdateSet({ classification: row.classification, updated_at: new Date() }),
    )
    .execute();
}

export interface PolicyRow {
  id: string;
  displayName: string;
  description: string | null;
  includes: ConditionSet[];
  excludes: ConditionSet[];
  assignedToUsers: boolean;
}

export async function selectPolicies(
  db: Kysely<IdentityDB>,
  tenantId: string,
  options: { assignedOnly?: boolean } = {},
): Promise<PolicyRow[]> {
  let query = db
    .selectFrom("identity.permission_grant_policies")
    .select(["id", "display_name", "description", "includes", "excludes", "assigned_to_users"])
    .where("tenant_id", "=", tenantId);
  if (options.assignedOnly) query = query.where("assigned_to_users", "=", true);
  const rows = await query.orderBy("id").execute();
  return rows.map((r) => ({
    id: r.id,
    displayName: r.display_name,
    description: r.description,
    includes: r.includes,
    excludes: r.excludes,
    assignedToUsers: r.assigned_to_users,
  }));
}

export async function insertPolicy(
  db: Kysely<IdentityDB>,
  tenantId: string,
  policy: PolicyRow,
): Promise<void> {
  await db
    .insertInto("identity.permission_grant_policies")
    .values({
      tenant_id: tenantId,
      id: policy.id,
      display_name: policy.displayName,
      description: policy.description,
      includes: JSON.stringify(policy.includes),
      excludes: JSON.stringify(policy.excludes),
      assigned_to_users: policy.assignedToUsers,
    })
    .execute();
}

/** Sets whether users hold the policy; true when the policy exists. */
export async function updatePolicyAssignment(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
  assigned: boolean,
): Promise<boolean> {
  const result = await db
    .updateTable("identity.permission_grant_policies")
    .set({ assigned_to_users: assigned, updated_at: new Date() })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
