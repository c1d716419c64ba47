import { type Kysely, sql } from "kysely";
import { inTransaction } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import type { IdentityDB } from "../db.ts";
import { type AuditActor, recordAudit } from "./audit-log.ts";
import { PURGE_ACTIVITY } from "./audit-verify.ts";
import {
  dropSignInPartition,
  ensureSignInPartitionsAhead,
  listSignInPartitions,
} from "./partitions.ts";
import { deleteExpiredSignIns } from "./sign-in-queries.ts";

/** 90 days: three times Entra's longest (30 days on P1/P2), without exporting elsewhere. */
export const DEFAULT_RETENTION_DAYS = 90;
/** Ten years: the check constraint's bound (migration 0008). */
export const MAX_RETENTION_DAYS = 3650;

const DAY_MS = 86_400_000;
const RETENTION_ACTOR: AuditActor = { type: "system", name: "assent-retention" };

/** How many days the tenant keeps its sign-in and audit logs. */
export async function getActivityRetention(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<number> {
  const row = await db
    .selectFrom("identity.tenant_activity_settings")
    .select("retention_days")
    .where("tenant_id", "=", tenantId)
    .executeTakeFirst();
  return row?.retention_days ?? DEFAULT_RETENTION_DAYS;
}

/**
 * Sets the tenant's log retention in days (1 to 3650); writes "Update log retention".
 *
 * @example
 * await setActivityRetention(db, tenant.id, 365, CLI_ACTOR);
 */
export async function setActivityRetention(
  db: Kysely<IdentityDB>,
  tenantId: string,
  days: number,
  actor: AuditActor,
): Promise<void> {
  if (!Number.isInteger(days) || days < 1 || days > MAX_RETENTION_DAYS)
    throw new ApiError(
      400,
      "activity.invalid_retention",
      `Retention is a whole number of days from 1 to ${MAX_RETENTION_DAYS}; got ${days}.`,
    );
  await inTransaction(db, async (trx) => {
    const old = await getActivityRetention(trx, tenantId);
    await trx
      .insertInto("identity.tenant_activity_settings")
      .values({ tenant_id: tenantId, retention_days: days })
      .onConflict((oc) =>
        oc.column("tenant_id").doUpdateSet({ retention_days: days, updated_at: sql`now()` }),
      )
      .execute();
    await recordAudit(trx, {
      tenantId,
      activity: "Update log retention",
      category: "Policy",
      actor,
      targets: [{ type: "Tenant", id: tenantId }],
      modifiedProperties: [{ name: "RetentionDays", oldValue: old, newValue: days }],
    });
  });
}

export interface PurgeReport {
  /** Monthly partitions made ready for the months ahead. */
  createdPartitions: string[];
  /** Whole months dropped: older than every tenant's retention. */
  droppedPartitions: string[];
  deletedSignIns: number;
  deletedAuditEvents: number;
}

/** The shortest and longest retention any tenant has (tenants without settings: the default). */
async function retentionBounds(db: Kysely<IdentityDB>): Promise<{ min: number; max: number }> {
  const result = await sql<{ min: number | null; max: number | null; unset: number }>`
    select min(s.retention_days)::int as min, max(s.retention_days)::int as max,
      (select count(*)::int from identity.tenants t where not exists (
        select 1 from identity.tenant_activity_settings x where x.tenant_id = t.id)) as unset
    from identity.tenant_activity_settings s`.execute(db);
  const row = result.rows[0];
  const values = [row?.min, row?.max].filter((v): v is number => typeof v === "number");
  // Rows of tenants without settings (or since deleted) keep the default.
  if (!row || Number(row.unset) > 0 || values.length === 0) values.push(DEFAULT_RETENTION_DAYS);
  return { min: Math.min(...values), max: Math.max(...values) };
}

/**
 * Removes one tenant's audit events older than `cutoff`, keeping the newest entry so the chain
 * goes on, and records "Purge audit log" with the hash the remaining chain now starts from
 * (its first entry's prev_hash), which `verifyAuditChain` accepts as the chain's start.
 */
async function purgeTenantAudit(
  db: Kysely<IdentityDB>,
  tenantId: string,
  cutoff: Date,
  retentionDays: number,
): Promise<number> {
  return inTransaction(db, async (trx) => {
    // The lock recordAudit takes: no entry is appended while the start of the chain moves.
    await sql`select pg_advisory_xact_lock(hashtext(${`assent.audit.${tenantId}`}))`.execute(trx);
    const head = await trx
      .selectFrom("identity.audit_events")
      .select((eb) => eb.fn.max("seq").as("seq"))
      .where("tenant_id", "=", tenantId)
      .executeTakeFirst();
    if (head?.seq == null) return 0;
    const deleted = await trx
      .deleteFrom("identity.audit_events")
      .where("tenant_id", "=", tenantId)
      .where("created_at", "<", cutoff)
      .where("seq", "<", head.seq)
      .returning("seq")
      .execute();
    if (deleted.length === 0) return 0;
    const first = await trx
      .selectFrom("identity.audit_events")
      .select("prev_hash")
      .where("tenant_id", "=", tenantId)
      .orderBy("seq", "asc")
      .limit(1)
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      tenantId,
      activity: PURGE_ACTIVITY,
      category: "Other",
      actor: RETENTION_ACTOR,
      additionalDetails: {
        purgedEvents: deleted.length,
        purgedThroughSeq: Math.max(...deleted.map((d) => d.seq)),
        retentionDays,
        anchorHash: first.prev_hash,
      },
    });
    return deleted.length;
  });
}

/**
 * The retention job: creates the sign-in partitions of the coming months, drops the monthly
 * partitions older than the longest retention of any tenant, deletes the remaining sign-in rows
 * older than their tenant's retention, and purges each tenant's expired audit events. Safe to
 * run on several nodes (partition changes and each tenant's purge are serialised by locks).
 * The scheduler (platform/jobs, not built yet) is to run it daily; until then
 * `assent logs purge` runs it.
 *
 * @example
 * const report = await purgeActivity(db, new Date());
 */
export async function purgeActivity(db: Kysely<IdentityDB>, now: Date): Promise<PurgeReport> {
  const createdPartitions = await ensureSignInPartitionsAhead(db, now, 2);
  const { min, max } = await retentionBounds(db);
  const everyoneDone = new Date(now.getTime() - max * DAY_MS);
  const droppedPartitions: string[] = [];
  for (const partition of await listSignInPartitions(db)) {
    if (partition.to.getTime() > everyoneDone.getTime()) continue;
    await dropSignInPartition(db, partition.name);
    droppedPartitions.push(partition.name);
  }
  const deletedSignIns = await deleteExpiredSignIns(db, now, DEFAULT_RETENTION_DAYS, min);

  // Per tenant, an index probe (tenant_id, created_at) rather than a scan of the whole log.
  const expired = await sql<{ tenant_id: string; retention_days: number }>`
    select t.id as tenant_id, coalesce(s.retention_days, ${DEFAULT_RETENTION_DAYS}::int) as retention_days
    from identity.tenants t
    left join identity.tenant_activity_settings s on s.tenant_id = t.id
    where exists (select 1 from identity.audit_events e where e.tenant_id = t.id
      and e.created_at < ${now}::timestamptz
        - make_interval(days => coalesce(s.retention_days, ${DEFAULT_RETENTION_DAYS}::int)))`.execute(
    db,
  );
  let deletedAuditEvents = 0;
  for (const { tenant_id, retention_days } of expired.rows)
    deletedAuditEvents += await purgeTenantAudit(
      db,
      tenant_id,
      new Date(now.getTime() - retention_days * DAY_MS),
      retention_days,
    );
  return { createdPartitions, droppedPartitions, deletedSignIns, deletedAuditEvents };
}
