import { type Kysely, sql } from "kysely";
import { tableRef } from "./schema-name.ts";

/** A claimed job as the worker sees it. */
export interface ClaimedJob {
  id: string;
  kind: string;
  tenant_id: string | null;
  payload: unknown;
  /** This attempt's number (1-based): also the fencing token of this claim. */
  attempts: number;
  max_attempts: number;
  created_at: Date;
}

const ms = (value: number) => sql`(${value}::double precision * interval '1 millisecond')`;

/**
 * Claims up to `limit` due jobs of the given kinds for `nodeId` in ONE statement: rows locked by
 * another claimer are skipped (FOR UPDATE SKIP LOCKED), the chosen ones get `locked_until` and an
 * attempt. No transaction stays open afterwards; a worker that dies leaves its jobs to be claimed
 * again once `locked_until` passes.
 */
export async function claimDueJobs(
  db: Kysely<any>,
  schema: string,
  options: { nodeId: string; kinds: readonly string[]; limit: number; lockMs: number },
): Promise<ClaimedJob[]> {
  if (options.kinds.length === 0 || options.limit < 1) return [];
  const outbox = tableRef(schema, "outbox");
  const result = await sql<ClaimedJob>`
    update ${outbox}
       set attempts = attempts + 1,
           locked_until = now() + ${ms(options.lockMs)},
           locked_by = ${options.nodeId}
     where id in (
       select id from ${outbox}
        where completed_at is null and dead_at is null
          and run_at <= now()
          and (locked_until is null or locked_until <= now())
          and attempts < max_attempts
          and kind in (${sql.join(options.kinds)})
        order by run_at
        limit ${options.limit}
        for update skip locked)
    returning id, kind, tenant_id, payload, attempts, max_attempts, created_at`.execute(db);
  return result.rows;
}

/**
 * Gives up on jobs whose last claim expired with no attempts left (their worker died during
 * the final attempt), so they do not sit unfinished forever.
 *
 * @returns the ids marked dead.
 */
export async function reapExhaustedJobs(db: Kysely<any>, schema: string): Promise<string[]> {
  const outbox = tableRef(schema, "outbox");
  const result = await sql<{ id: string }>`
    update ${outbox}
       set dead_at = now(), locked_until = null,
           last_error = coalesce(last_error || ' / ', '') || 'the worker running the final attempt stopped before finishing'
     where completed_at is null and dead_at is null
       and attempts >= max_attempts
       and locked_until is not null and locked_until <= now()
    returning id`.execute(db);
  return result.rows.map((r) => r.id);
}

/** Extends the locks of jobs still running on this node, fenced by their claim's attempt. */
export async function extendLocks(
  db: Kysely<any>,
  schema: string,
  nodeId: string,
  claims: ReadonlyArray<{ id: string; attempts: number }>,
  lockMs: number,
): Promise<void> {
  if (claims.length === 0) return;
  const outbox = tableRef(schema, "outbox");
  const pairs = claims.map((c) => sql`(${c.id}::uuid, ${c.attempts}::int)`);
  await sql`
    update ${outbox} set locked_until = now() + ${ms(lockMs)}
     where locked_by = ${nodeId} and completed_at is null and dead_at is null
       and (id, attempts) in (${sql.join(pairs)})`.execute(db);
}

/** Marks a job done. Not fenced: if a second claimer also ran it, the work is done either way. */
export async function markCompleted(db: Kysely<any>, schema: string, id: string): Promise<void> {
  await sql`
    update ${tableRef(schema, "outbox")}
       set completed_at = now(), locked_until = null
     where id = ${id} and completed_at is null`.execute(db);
}

export interface FailureUpdate {
  id: string;
  nodeId: string;
  /** The claim's attempt number: the update applies only if this node still holds that claim. */
  attempts: number;
  error: string;
  /** Dead now instead of rescheduled. */
  dead: boolean;
  /** When not dead: retry after this long. */
  delayMs: number;
  /** false: give the attempt back (the job waits without running out of attempts). */
  countAttempt: boolean;
}

/** Records a failed attempt: reschedules the job, or marks it dead. Fenced by node and attempt. */
export async function markFailed(
  db: Kysely<any>,
  schema: string,
  update: FailureUpdate,
): Promise<boolean> {
  const outbox = tableRef(schema, "outbox");
  const result = await sql`
    update ${outbox}
       set last_error = ${update.error},
           locked_until = null,
           locked_by = null,
           attempts = attempts - ${update.countAttempt ? 0 : 1}::int,
           run_at = case when ${update.dead}::boolean then run_at else now() + ${ms(update.delayMs)} end,
           dead_at = case when ${update.dead}::boolean then now() else null end
     where id = ${update.id} and locked_by = ${update.nodeId} and attempts = ${update.attempts}
       and completed_at is null and dead_at is null`.execute(db);
  return Number(result.numAffectedRows ?? 0n) > 0;
}

export interface OutboxStats {
  /** Not yet delivered and not given up (includes the failing ones). */
  waiting: number;
  /** Waiting, and at least one attempt failed (SMTP down, receiver answering 500...). */
  failing: number;
  /** Given up. */
  dead: number;
  /** The most recent error among the waiting ones, for "email is not configured"-style banners. */
  lastError: string | null;
}

/**
 * Counts a schema's unfinished work, optionally for one tenant and/or one kind: what the portal
 * shows ("3 emails are waiting: SMTP is not configured").
 */
export async function outboxStats(
  db: Kysely<any>,
  schema: string,
  filter: { tenantId?: string; kind?: string } = {},
): Promise<OutboxStats> {
  const conditions = [sql`completed_at is null`];
  if (filter.tenantId !== undefined) conditions.push(sql`tenant_id = ${filter.tenantId}`);
  if (filter.kind !== undefined) conditions.push(sql`kind = ${filter.kind}`);
  const result = await sql<{
    waiting: number;
    failing: number;
    dead: number;
    last_error: string | null;
  }>`
    select count(*) filter (where dead_at is null)::int as waiting,
           count(*) filter (where dead_at is null and last_error is not null)::int as failing,
           count(*) filter (where dead_at is not null)::int as dead,
           (array_agg(last_error order by run_at desc) filter (where dead_at is null and last_error is not null))[1] as last_error
      from ${tableRef(schema, "outbox")}
     where ${sql.join(conditions, sql` and `)}`.execute(db);
  const row = result.rows[0];
  return {
    waiting: row?.waiting ?? 0,
    failing: row?.failing ?? 0,
    dead: row?.dead ?? 0,
    lastError: row?.last_error ?? null,
  };
}

/**
 * Deletes jobs completed before `before` (and dead ones before `deadBefore`, when given):
 * retention for the outbox itself, run as a recurring job by the service that owns it.
 *
 * @returns the number of rows deleted.
 */
export async function purgeFinishedJobs(
  db: Kysely<any>,
  schema: string,
  options: { before: Date; deadBefore?: Date },
): Promise<number> {
  const outbox = tableRef(schema, "outbox");
  const done =
    await sql`delete from ${outbox} where completed_at < ${options.before.toISOString()}::timestamptz`.execute(
      db,
    );
  let count = Number(done.numAffectedRows ?? 0n);
  if (options.deadBefore) {
    const dead =
      await sql`delete from ${outbox} where dead_at < ${options.deadBefore.toISOString()}::timestamptz`.execute(
        db,
      );
    count += Number(dead.numAffectedRows ?? 0n);
  }
  return count;
}
