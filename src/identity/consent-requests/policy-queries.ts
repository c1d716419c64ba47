import type { Kysely } from "kysely";
import type { IdentityDB } from "../db.ts";
import type { StoredReviewer } from "./tables.ts";

/** Queries of the admin consent request policy: SQL only. */

export interface PolicyRow {
  reviewers: StoredReviewer[];
  notifyReviewers: boolean;
  remindersEnabled: boolean;
  requestDurationInDays: number;
  version: number;
}

const COLUMNS = [
  "reviewers",
  "notify_reviewers",
  "reminders_enabled",
  "request_duration_days",
  "version",
] as const;

function toRow(row: {
  reviewers: StoredReviewer[];
  notify_reviewers: boolean;
  reminders_enabled: boolean;
  request_duration_days: number;
  version: number;
}): PolicyRow {
  return {
    reviewers: row.reviewers,
    notifyReviewers: row.notify_reviewers,
    remindersEnabled: row.reminders_enabled,
    requestDurationInDays: row.request_duration_days,
    version: row.version,
  };
}

export async function selectPolicy(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<PolicyRow | undefined> {
  const row = await db
    .selectFrom("identity.admin_consent_request_policies")
    .select(COLUMNS)
    .where("tenant_id", "=", tenantId)
    .executeTakeFirst();
  return row ? toRow(row) : undefined;
}

/** Locks the tenant's policy row for an update, creating it with the defaults first. */
export async function lockPolicy(db: Kysely<IdentityDB>, tenantId: string): Promise<PolicyRow> {
  await db
    .insertInto("identity.admin_consent_request_policies")
    .values({ tenant_id: tenantId, reviewers: "[]", version: 0 })
    .onConflict((oc) => oc.column("tenant_id").doNothing())
    .execute();
  const row = await db
    .selectFrom("identity.admin_consent_request_policies")
    .select(COLUMNS)
    .where("tenant_id", "=", tenantId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return toRow(row);
}

export async function writePolicy(
  db: Kysely<IdentityDB>,
  tenantId: string,
  values: Omit<PolicyRow, "version">,
  now: Date,
): Promise<void> {
  await db
    .updateTable("identity.admin_consent_request_policies")
    .set((eb) => ({
      reviewers: JSON.stringify(values.reviewers),
      notify_reviewers: values.notifyReviewers,
      reminders_enabled: values.remindersEnabled,
      request_duration_days: values.requestDurationInDays,
      version: eb("version", "+", 1),
      updated_at: now,
    }))
    .where("tenant_id", "=", tenantId)
    .execute();
}

export async function tenantExists(db: Kysely<IdentityDB>, tenantId: string): Promise<boolean> {
  const row = await db
    .selectFrom("identity.tenants")
    .select("id")
    .where("id", "=", tenantId)
    .executeTakeFirst();
  return row !== undefined;
}
