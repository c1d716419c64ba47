import { type ExpressionBuilder, type Kysely, type Selectable, sql } from "kysely";
import type { IdentityDB } from "../db.ts";
import type { Keyset } from "./cursor.ts";
import type { AuditEventsTable } from "./tables.ts";

export type AuditRecord = Selectable<AuditEventsTable>;

/** The audit log's filters (Entra: Activity, Category, Initiated by, Target, Date range). */
export interface AuditFilter {
  /** Inclusive. */
  from?: Date | undefined;
  /** Inclusive. */
  to?: Date | undefined;
  /** Exact activity name, e.g. "Add user". */
  activity?: string | undefined;
  category?: string | undefined;
  result?: string | undefined;
  /** The actor's id, user principal name, or (for the CLI and the system) name. */
  actor?: string | undefined;
  /** The id of one of the event's targets. */
  targetId?: string | undefined;
  correlationId?: string | undefined;
}

function filterConditions(
  eb: ExpressionBuilder<IdentityDB, "identity.audit_events">,
  tenantId: string,
  f: AuditFilter,
) {
  const and = [eb("tenant_id", "=", tenantId)];
  if (f.from) and.push(eb("created_at", ">=", f.from));
  if (f.to) and.push(eb("created_at", "<=", f.to));
  if (f.activity !== undefined) and.push(eb("activity", "=", f.activity));
  if (f.category !== undefined) and.push(eb("category", "=", f.category));
  if (f.result !== undefined) and.push(eb("result", "=", f.result));
  if (f.correlationId !== undefined) and.push(eb("correlation_id", "=", f.correlationId));
  if (f.actor !== undefined) {
    const actor = f.actor.trim();
    and.push(
      eb.or([
        eb(sql`actor->>'id'`, "=", actor.toLowerCase()),
        eb(sql`actor->>'userPrincipalName'`, "=", actor.toLowerCase()),
        eb(sql`actor->>'name'`, "=", actor),
      ]),
    );
  }
  if (f.targetId !== undefined)
    // jsonb containment, served by the GIN index on targets (migration 0008).
    and.push(eb(sql`targets`, "@>", sql`${JSON.stringify([{ id: f.targetId }])}::jsonb`));
  return eb.and(and);
}

/** The tenant's audit events matching the filter, newest first, without a limit. */
export function auditQuery(
  db: Kysely<IdentityDB>,
  tenantId: string,
  filter: AuditFilter,
  after?: Keyset,
) {
  return db
    .selectFrom("identity.audit_events")
    .selectAll()
    .where((eb) => filterConditions(eb, tenantId, filter))
    .$if(after !== undefined, (q) =>
      q.where((eb) =>
        eb(eb.refTuple("created_at", "seq"), "<", eb.tuple(after!.at, Number(after!.id))),
      ),
    )
    .orderBy("created_at", "desc")
    .orderBy("seq", "desc");
}

export async function selectAuditById(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
): Promise<AuditRecord | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return undefined;
  return db
    .selectFrom("identity.audit_events")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id.toLowerCase())
    .executeTakeFirst();
}

/** The tenant's chain in order, `limit` links after `afterSeq` (verification reads it in pages). */
export function selectChainPage(
  db: Kysely<IdentityDB>,
  tenantId: string,
  afterSeq: number,
  limit: number,
): Promise<AuditRecord[]> {
  return db
    .selectFrom("identity.audit_events")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("seq", ">", afterSeq)
    .orderBy("seq", "asc")
    .limit(limit)
    .execute();
}
