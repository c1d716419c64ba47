import { type Kysely, sql } from "kysely";
import type { IdentityDB } from "../../db.ts";

/** SQL over `identity.sign_in_throttle` (failed sign-ins per subject and window). */

export async function selectBlockedSubjects(
  db: Kysely<IdentityDB>,
  tenantId: string,
  subjects: string[],
): Promise<Array<{ subject: string; blockedUntil: Date }>> {
  const rows = await db
    .selectFrom("identity.sign_in_throttle")
    .select(["subject", "blocked_until"])
    .where("tenant_id", "=", tenantId)
    .where("subject", "in", subjects)
    .where("blocked_until", ">", sql<Date>`now()`)
    .execute();
  return rows.map((r) => ({ subject: r.subject, blockedUntil: new Date(r.blocked_until as Date) }));
}

/**
 * Counts one failure in one statement (safe when nodes race): a window older than
 * `windowSeconds` starts over; reaching `limit` failures blocks the subject for `blockSeconds`
 * from now and starts a new window, so a block always ends.
 */
export async function upsertFailure(
  db: Kysely<IdentityDB>,
  tenantId: string,
  subject: string,
  policy: { limit: number; windowSeconds: number; blockSeconds: number },
): Promise<{ failures: number; blocked: boolean }> {
  const window = `${policy.windowSeconds} seconds`;
  const block = `${policy.blockSeconds} seconds`;
  const result = await sql<{ failures: number; blocked: boolean }>`
    insert into identity.sign_in_throttle as t (tenant_id, subject, failures, window_started_at)
    values (${tenantId}, ${subject}, 1, now())
    on conflict (tenant_id, subject) do update set
      failures = case
        when t.window_started_at < now() - ${window}::interval then 1
        else t.failures + 1 end,
      window_started_at = case
        when t.window_started_at < now() - ${window}::interval then now()
        else t.window_started_at end
    returning failures, false as blocked`.execute(db);
  const row = result.rows[0] ?? { failures: 1, blocked: false };
  if (row.failures < policy.limit) return { failures: row.failures, blocked: false };
  await sql`
    update identity.sign_in_throttle
    set blocked_until = now() + ${block}::interval, failures = 0, window_started_at = now()
    where tenant_id = ${tenantId} and subject = ${subject}`.execute(db);
  return { failures: row.failures, blocked: true };
}

export async function deleteSubject(db: Kysely<IdentityDB>, tenantId: string, subject: string) {
  await db
    .deleteFrom("identity.sign_in_throttle")
    .where("tenant_id", "=", tenantId)
    .where("subject", "=", subject)
    .execute();
}

/** Deletes counters whose window and block both ended `olderThanSeconds` ago. */
export async function deleteStaleCounters(
  db: Kysely<IdentityDB>,
  olderThanSeconds: number,
): Promise<number> {
  const age = `${olderThanSeconds} seconds`;
  const result = await sql`
    delete from identity.sign_in_throttle
    where window_started_at < now() - ${age}::interval
      and (blocked_until is null or blocked_until < now())`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
