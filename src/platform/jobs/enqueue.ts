import { type Kysely, sql } from "kysely";
import { tableRef } from "./schema-name.ts";

export interface NewJob<P = unknown> {
  /** Names the handler, e.g. `email.send`, `webhook.deliver`, `consent_request.expire`. */
  kind: string;
  /** Stored as jsonb; the handler receives it parsed. Keep secrets out (it is not encrypted). */
  payload: P;
  /** Not before this time (default: now). */
  runAt?: Date;
  /** At most one job with this key is ever enqueued; later enqueues return the first one. */
  dedupeKey?: string;
  /** Attempts before the job is dead (default 20). */
  maxAttempts?: number;
  /** The tenant the message belongs to, when it belongs to one. */
  tenantId?: string;
}

export interface EnqueuedJob {
  id: string;
  /** false when a job with the same dedupe key already existed and nothing was added. */
  created: boolean;
}

/**
 * Adds a job to `<schema>.outbox` through `trx`: call it INSIDE the transaction that makes the
 * decision, so the message commits with the decision or not at all. Workers pick it up once it
 * commits; call the local worker's `wake()` after the commit to run it without waiting a poll.
 *
 * @example
 * await database.transaction(async (trx) => {
 *   await approveRequest(trx, request);
 *   await recordAudit(trx, event);
 *   await enqueue(trx, "identity", { kind: "email.send", payload: message, tenantId });
 * });
 * worker.wake();
 */
export async function enqueue<P>(
  trx: Kysely<any>,
  schema: string,
  job: NewJob<P>,
): Promise<EnqueuedJob> {
  const outbox = tableRef(schema, "outbox");
  const runAt = job.runAt ? sql`${job.runAt.toISOString()}::timestamptz` : sql`now()`;
  const inserted = await sql<{ id: string }>`
    insert into ${outbox} (kind, tenant_id, payload, run_at, max_attempts, dedupe_key)
    values (${job.kind}, ${job.tenantId ?? null}, ${JSON.stringify(job.payload ?? null)}::jsonb,
            ${runAt}, ${job.maxAttempts ?? 20}, ${job.dedupeKey ?? null})
    on conflict (dedupe_key) do nothing
    returning id`.execute(trx);
  const row = inserted.rows[0];
  if (row) return { id: row.id, created: true };
  const existing = await sql<{ id: string }>`
    select id from ${outbox} where dedupe_key = ${job.dedupeKey ?? null}`.execute(trx);
  const id = existing.rows[0]?.id;
  if (!id) throw new Error(`outbox insert of ${job.kind} returned no row`);
  return { id, created: false };
}
