import { type Kysely, sql } from "kysely";
import { inTransaction } from "../../platform/db/index.ts";
import type { IdentityDB } from "../db.ts";

/**
 * Monthly partitions of `identity.sign_in_events` (range on created_at, UTC months). Declarative
 * partitioning works the same on PostgreSQL and PGlite, so there is one code path.
 */

/** First instant of the UTC month `offset` months after the one holding `at`. */
export function monthStart(at: Date, offset = 0): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + offset, 1));
}

/** `sign_in_events_p2026_11` for November 2026 (the name migration 0008 uses too). */
export function partitionName(month: Date): string {
  return `sign_in_events_p${month.getUTCFullYear()}_${String(month.getUTCMonth() + 1).padStart(2, "0")}`;
}

export interface SignInPartition {
  name: string;
  /** Inclusive lower bound. */
  from: Date;
  /** Exclusive upper bound. */
  to: Date;
}

const BOUND = /FROM \('([^']+)'\) TO \('([^']+)'\)/;

/** The monthly partitions that exist (the default partition excluded), oldest first. */
export async function listSignInPartitions(db: Kysely<IdentityDB>): Promise<SignInPartition[]> {
  const result = await sql<{ name: string; bound: string }>`
    select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
    from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'identity.sign_in_events'::regclass`.execute(db);
  const partitions: SignInPartition[] = [];
  for (const row of result.rows) {
    const match = BOUND.exec(row.bound);
    if (!match) continue;
    partitions.push({ name: row.name, from: new Date(match[1]!), to: new Date(match[2]!) });
  }
  return partitions.sort((a, b) => a.from.getTime() - b.from.getTime());
}

/**
 * Creates the partition of the month starting at `month` unless it exists. Safe to race
 * (several nodes, the recorder and the retention job): one advisory lock serialises creators.
 *
 * Rows of that month already in the default partition (recorded before the partition existed)
 * are moved into the new table before it is attached, because PostgreSQL refuses to attach a
 * range the default partition holds rows of. The default partition is locked against inserts
 * for that moment only; inserts into other partitions carry on.
 */
export async function ensureSignInPartition(db: Kysely<IdentityDB>, month: Date): Promise<boolean> {
  const from = monthStart(month);
  const to = monthStart(month, 1);
  const name = partitionName(from);
  return inTransaction(db, async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('assent.sign_in_events.partitions'))`.execute(
      trx,
    );
    const exists = await sql<{ found: string | null }>`
      select to_regclass(${`identity.${name}`})::text as found`.execute(trx);
    if (exists.rows[0]?.found) return false;
    const table = sql.id("identity", name);
    const fromLit = sql.lit(from.toISOString());
    const toLit = sql.lit(to.toISOString());
    await sql`lock table identity.sign_in_events_default in share row exclusive mode`.execute(trx);
    await sql`create table ${table}
      (like identity.sign_in_events including defaults including constraints)`.execute(trx);
    await sql`
      with moved as (
        delete from identity.sign_in_events_default
        where created_at >= ${fromLit} and created_at < ${toLit} returning *)
      insert into ${table} select * from moved`.execute(trx);
    await sql`alter table identity.sign_in_events attach partition ${table}
      for values from (${fromLit}) to (${toLit})`.execute(trx);
    return true;
  });
}

/**
 * Makes sure the partitions of the current month and the `ahead` months after it exist: what
 * the retention job runs, so the recorder seldom has to create one on the hot path.
 *
 * @example
 * await ensureSignInPartitionsAhead(db, new Date(), 2); // this month and the next two
 */
export async function ensureSignInPartitionsAhead(
  db: Kysely<IdentityDB>,
  now: Date,
  ahead = 2,
): Promise<string[]> {
  const created: string[] = [];
  for (let offset = 0; offset <= ahead; offset++) {
    const month = monthStart(now, offset);
    if (await ensureSignInPartition(db, month)) created.push(partitionName(month));
  }
  return created;
}

/** Detaches and drops a monthly partition: every row in it is gone, in one cheap statement. */
export async function dropSignInPartition(db: Kysely<IdentityDB>, name: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('assent.sign_in_events.partitions'))`.execute(
      trx,
    );
    const table = sql.id("identity", name);
    await sql`alter table identity.sign_in_events detach partition ${table}`.execute(trx);
    await sql`drop table ${table}`.execute(trx);
  });
}
