import { type Kysely, type Selectable, sql } from "kysely";
import type { AuditActor } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import type { ConsentRequestsTable, StoredAudience, StoredResourceScopes } from "./tables.ts";
import type { ConsentRequestStatus } from "./types.ts";

/** Queries of consent requests and their requesters: SQL only. */

export interface RequestRow {
  id: string;
  tenantId: string;
  clientApplicationId: string;
  status: ConsentRequestStatus;
  requesterCount: number;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
  reminderSentAt: Date | null;
  decidedAt: Date | null;
  decidedBy: AuditActor | null;
  decisionReason: string | null;
  approvedScopes: StoredResourceScopes[] | null;
  approvedAudience: StoredAudience | null;
  approvedUntil: Date | null;
}

export function toRequestRow(r: Selectable<ConsentRequestsTable>): RequestRow {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    clientApplicationId: r.client_application_id,
    status: r.status,
    requesterCount: r.requester_count,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    expiresAt: r.expires_at,
    reminderSentAt: r.reminder_sent_at,
    decidedAt: r.decided_at,
    decidedBy: r.decided_by as AuditActor | null,
    decisionReason: r.decision_reason,
    approvedScopes: r.approved_scopes,
    approvedAudience: r.approved_audience,
    approvedUntil: r.approved_until,
  };
}

/** Inserts the app's open request unless one exists (the partial unique index decides). */
export async function insertOpenRequest(
  trx: Kysely<IdentityDB>,
  values: { tenantId: string; clientApplicationId: string; now: Date; expiresAt: Date },
): Promise<RequestRow | undefined> {
  const row = await trx
    .insertInto("identity.consent_requests")
    .values({
      tenant_id: values.tenantId,
      client_application_id: values.clientApplicationId,
      created_at: values.now,
      updated_at: values.now,
      expires_at: values.expiresAt,
    })
    .onConflict((oc) =>
      // A literal, not a parameter: PostgreSQL must match the partial index's predicate.
      oc
        .columns(["tenant_id", "client_application_id"])
        .where(sql<boolean>`status = 'pending'`)
        .doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
  return row ? toRequestRow(row) : undefined;
}

/** The app's open request, locked until the transaction ends. */
export async function lockOpenRequest(
  trx: Kysely<IdentityDB>,
  tenantId: string,
  clientApplicationId: string,
): Promise<RequestRow | undefined> {
  const row = await trx
    .selectFrom("identity.consent_requests")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("client_application_id", "=", clientApplicationId)
    .where("status", "=", "pending")
    .forUpdate()
    .executeTakeFirst();
  return row ? toRequestRow(row) : undefined;
}

export async function selectRequest(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<RequestRow | undefined> {
  let query = db
    .selectFrom("identity.consent_requests")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id);
  if (options.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row ? toRequestRow(row) : undefined;
}

/** Adds `delta` active requesters and touches the request. */
export async function touchRequest(
  trx: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
  delta: number,
  now: Date,
): Promise<RequestRow> {
  const row = await trx
    .updateTable("identity.consent_requests")
    .set((eb) => ({ requester_count: eb("requester_count", "+", delta), updated_at: now }))
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRequestRow(row);
}

export interface Decision {
  status: Exclude<ConsentRequestStatus, "pending">;
  decidedBy: AuditActor;
  reason?: string | null;
  approvedScopes?: StoredResourceScopes[];
  approvedAudience?: StoredAudience;
  approvedUntil?: Date | null;
}

/**
 * Decides a request if, and only if, it is still pending and unexpired at `now`: one
 * conditional UPDATE, so of two concurrent deciders exactly one gets the row back.
 */
export async function decidePending(
  trx: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
  decision: Decision,
  now: Date,
): Promise<RequestRow | undefined> {
  let query = trx
    .updateTable("identity.consent_requests")
    .set({
      status: decision.status,
      decided_at: now,
      updated_at: now,
      decided_by: JSON.stringify(decision.decidedBy),
      decision_reason: decision.reason ?? null,
      approved_scopes: decision.approvedScopes ? JSON.stringify(decision.approvedScopes) : null,
      approved_audience: decision.approvedAudience
        ? JSON.stringify(decision.approvedAudience)
        : null,
      approved_until: decision.approvedUntil ?? null,
    })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .where("status", "=", "pending");
  // Expiry is a decision too (by the clock): everything else must beat it.
  if (decision.status !== "expired") query = query.where("expires_at", ">", now);
  const row = await query.returningAll().executeTakeFirst();
  return row ? toRequestRow(row) : undefined;
}
