import type { ColumnType } from "kysely";
import { assertSchemaName } from "./schema-name.ts";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/**
 * One row of a service's `<schema>.outbox`, for Kysely. A service that wants typed access adds
 * `"<schema>.outbox": OutboxTable` to its database interface; the platform's own code does not
 * need that (it takes the schema name).
 */
export interface OutboxTable {
  id: ColumnType<string, string | undefined, never>;
  kind: string;
  /** Owner of the message when it belongs to one tenant (portal counts, isolation). */
  tenant_id: string | null;
  payload: ColumnType<unknown, string, string>;
  run_at: Timestamp;
  attempts: ColumnType<number, number | undefined, number>;
  max_attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  locked_until: Date | null;
  locked_by: string | null;
  completed_at: Date | null;
  dead_at: Date | null;
  dedupe_key: string | null;
  created_at: Timestamp;
}

/**
 * The DDL of the outbox table in `schema`, for that service's migration.
 *
 * Version 1 of the table: a migration that has landed must keep producing the same schema, so
 * this text is frozen — a later change goes into a new function and a new migration that alters
 * the table, never into this one.
 *
 * @example
 * export async function up(db: Kysely<any>) { await sql.raw(outboxTableSql("identity")).execute(db); }
 */
export function outboxTableSql(schema: string): string {
  const s = assertSchemaName(schema);
  return `
    create table ${s}.outbox (
      id uuid primary key default gen_random_uuid(),
      kind text not null constraint outbox_kind_check check (kind ~ '^[A-Za-z0-9_.:-]{1,100}$'),
      tenant_id text,
      payload jsonb not null,
      run_at timestamptz not null default now(),
      -- Counted when a worker claims the job, so a job that crashes its worker also runs out.
      attempts integer not null default 0,
      max_attempts integer not null default 20 constraint outbox_max_attempts_check check (max_attempts between 1 and 1000),
      last_error text,
      locked_until timestamptz,
      locked_by text,
      completed_at timestamptz,
      -- Gave up: max_attempts reached or a permanent failure. Kept for inspection.
      dead_at timestamptz,
      -- At most one job per key ever (NULLs are distinct): "remind at midpoint" once, one row
      -- per recurring slot.
      dedupe_key text constraint outbox_dedupe_key unique,
      created_at timestamptz not null default now()
    );
    -- The claim reads due, unfinished jobs in run_at order.
    create index outbox_due_idx on ${s}.outbox (run_at)
      where completed_at is null and dead_at is null;
    -- "N emails are waiting" per tenant in the portal.
    create index outbox_tenant_idx on ${s}.outbox (tenant_id, kind)
      where tenant_id is not null and completed_at is null;
    -- Purging finished jobs in completion order.
    create index outbox_completed_idx on ${s}.outbox (completed_at)
      where completed_at is not null;
  `;
}
