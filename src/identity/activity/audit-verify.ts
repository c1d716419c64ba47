import type { Kysely } from "kysely";
import type { IdentityDB } from "../db.ts";
import { auditHash } from "./audit-log.ts";
import { type AuditRecord, selectChainPage } from "./audit-queries.ts";

/** The activity a retention purge writes; its details vouch for where the chain now starts. */
export const PURGE_ACTIVITY = "Purge audit log";

export type AuditChainReport =
  | { intact: true; events: number }
  | {
      intact: false;
      /** Links checked and found sound before the broken one. */
      events: number;
      broken: { seq: number; id: string; createdAt: Date; reason: string };
    };

// Pages of 1,000 links: constant memory for a chain of any length.
const PAGE = 1_000;

/** The object recordAudit hashed for this row (see audit-log.ts), rebuilt from the columns. */
function hashedContent(row: AuditRecord): Record<string, unknown> {
  return {
    tenant_id: row.tenant_id,
    activity: row.activity,
    category: row.category,
    result: row.result,
    actor: row.actor,
    targets: row.targets,
    modified_properties: row.modified_properties,
    additional_details: row.additional_details,
    correlation_id: row.correlation_id,
    created_at: row.created_at.toISOString(),
  };
}

/** Hashes retention purges vouched for as the start of the chain. */
async function purgeAnchors(db: Kysely<IdentityDB>, tenantId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom("identity.audit_events")
    .select("additional_details")
    .where("tenant_id", "=", tenantId)
    .where("activity", "=", PURGE_ACTIVITY)
    .execute();
  const anchors = new Set<string>();
  for (const row of rows) {
    const anchor = row.additional_details.anchorHash;
    if (typeof anchor === "string") anchors.add(anchor);
  }
  return anchors;
}

/**
 * Recomputes the tenant's audit hash chain from its first entry and reports the first broken
 * link: an entry whose content no longer matches its hash (altered), or whose `prev_hash` is
 * not the previous entry's hash (an entry removed or inserted before it). The chain may start
 * after entries removed by retention, but only where a retention purge recorded that start.
 *
 * @example
 * const report = await verifyAuditChain(db, tenant.id);
 * if (!report.intact) console.log(`broken at seq ${report.broken.seq}: ${report.broken.reason}`);
 */
export async function verifyAuditChain(
  db: Kysely<IdentityDB>,
  tenantId: string,
  options: { onProgress?: (events: number) => void } = {},
): Promise<AuditChainReport> {
  const anchors = await purgeAnchors(db, tenantId);
  let events = 0;
  let previous: string | null | undefined;
  let afterSeq = 0;
  for (;;) {
    const rows = await selectChainPage(db, tenantId, afterSeq, PAGE);
    for (const row of rows) {
      const broken = (reason: string): AuditChainReport => ({
        intact: false,
        events,
        broken: { seq: row.seq, id: row.id, createdAt: row.created_at, reason },
      });
      if (previous === undefined) {
        if (row.prev_hash !== null && !anchors.has(row.prev_hash))
          return broken(
            "the chain starts after an entry that is missing, and no retention purge accounts for it",
          );
      } else if (row.prev_hash !== previous) {
        return broken(
          "its prev_hash is not the previous entry's hash: an entry before it was removed or inserted",
        );
      }
      if (auditHash(row.prev_hash, hashedContent(row)) !== row.hash)
        return broken("its content does not match its hash: the entry was altered");
      previous = row.hash;
      events++;
    }
    options.onProgress?.(events);
    if (rows.length < PAGE) return { intact: true, events };
    afterSeq = rows[rows.length - 1]!.seq;
  }
}
