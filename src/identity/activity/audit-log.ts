import { createHash } from "node:crypto";
import { type Kysely, sql } from "kysely";
import type { IdentityDB } from "../db.ts";

/** Who did it: a user, an application (service principal), or the operator's CLI. */
export type AuditActor =
  | { type: "user"; id: string; userPrincipalName?: string }
  | { type: "application"; id: string; displayName?: string }
  | { type: "system"; name: string };

export interface AuditTarget {
  type: string;
  id: string;
  displayName?: string;
}

export interface ModifiedProperty {
  name: string;
  oldValue: unknown;
  newValue: unknown;
}

export interface AuditEventInput {
  tenantId: string;
  /** Entra-style activity name, e.g. "Add user", "Consent to application". */
  activity: string;
  /** Entra-style category, e.g. "UserManagement", "ApplicationManagement". */
  category: string;
  actor: AuditActor;
  targets?: AuditTarget[];
  modifiedProperties?: ModifiedProperty[];
  additionalDetails?: Record<string, unknown>;
  result?: "success" | "failure";
  correlationId?: string;
}

/** The operator acting through the `assent` command line. */
export const CLI_ACTOR: AuditActor = { type: "system", name: "assent-cli" };

/**
 * Appends an audit event inside the caller's transaction, so the change and its record commit
 * together. Each tenant's events form a hash chain: `hash = sha256(prev_hash + canonical event)`;
 * a transaction-scoped advisory lock per tenant keeps concurrent writers from forking the chain.
 */
export async function recordAudit(trx: Kysely<IdentityDB>, event: AuditEventInput): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`assent.audit.${event.tenantId}`}))`.execute(
    trx,
  );
  const previous = await trx
    .selectFrom("identity.audit_events")
    .select("hash")
    .where("tenant_id", "=", event.tenantId)
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirst();
  const createdAt = new Date();
  const row = {
    tenant_id: event.tenantId,
    activity: event.activity,
    category: event.category,
    result: event.result ?? "success",
    actor: event.actor,
    targets: event.targets ?? [],
    modified_properties: event.modifiedProperties ?? [],
    additional_details: event.additionalDetails ?? {},
    correlation_id: event.correlationId ?? null,
    created_at: createdAt.toISOString(),
  };
  const prevHash = previous?.hash ?? null;
  await trx
    .insertInto("identity.audit_events")
    .values({
      ...row,
      actor: JSON.stringify(row.actor),
      targets: JSON.stringify(row.targets),
      modified_properties: JSON.stringify(row.modified_properties),
      additional_details: JSON.stringify(row.additional_details),
      created_at: createdAt,
      prev_hash: prevHash,
      hash: auditHash(prevHash, row),
    })
    .execute();
}

/** The chain link: exported so `assent audit verify` recomputes it the same way. */
export function auditHash(prevHash: string | null, row: Record<string, unknown>): string {
  return createHash("sha256")
    .update(prevHash ?? "")
    .update(canonicalJson(row))
    .digest("hex");
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}
