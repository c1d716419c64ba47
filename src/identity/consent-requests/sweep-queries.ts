import { type Kysely, sql } from "kysely";
import type { IdentityDB } from "../db.ts";
import { type RequestRow, toRequestRow } from "./request-queries.ts";

/** The sweeper's claims: SQL only. Rows another node is handling are skipped, not waited for. */

/** Pending requests past their expiry, locked for this transaction. */
export async function claimExpired(
  trx: Kysely<IdentityDB>,
  now: Date,
  limit: number,
): Promise<Array<{ id: string; tenantId: string }>> {
  const rows = await trx
    .selectFrom("identity.consent_requests")
    .select(["id", "tenant_id"])
    .where("status", "=", "pending")
    .where("expires_at", "<=", now)
    .orderBy("expires_at")
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id }));
}

/**
 * Marks the midpoint reminder of due requests as sent, in one conditional UPDATE: each request
 * is returned once, ever, whichever node runs it.
 */
export async function claimDueReminders(
  trx: Kysely<IdentityDB>,
  now: Date,
  limit: number,
): Promise<RequestRow[]> {
  const at = now.toISOString();
  const result = await sql<Parameters<typeof toRequestRow>[0]>`
    update identity.consent_requests set reminder_sent_at = ${at}::timestamptz
     where id in (
       select id from identity.consent_requests
        where status = 'pending' and reminder_sent_at is null
          and expires_at > ${at}::timestamptz
          and created_at + (expires_at - created_at) / 2 <= ${at}::timestamptz
        order by created_at
        limit ${limit}
        for update skip locked)
    returning *`.execute(trx);
  return result.rows.map(toRequestRow);
}
