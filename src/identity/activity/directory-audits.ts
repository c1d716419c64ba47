import type { Kysely } from "kysely";
import { ApiError } from "../../platform/http/errors.ts";
import type { IdentityDB } from "../db.ts";
import {
  type AuditFilter,
  type AuditRecord,
  auditQuery,
  selectAuditById,
} from "./audit-queries.ts";
import type { CsvColumn } from "./csv.ts";
import { type LogSource, listPage, type Page } from "./log-source.ts";
import type { DirectoryAuditView } from "./schemas.ts";

/** The API's (and the exports') shape of one audit event, after Graph's directoryAudit. */
export function directoryAuditView(row: AuditRecord): DirectoryAuditView {
  return {
    id: row.id,
    activityDateTime: row.created_at.toISOString(),
    activityDisplayName: row.activity,
    category: row.category,
    result: row.result,
    correlationId: row.correlation_id,
    initiatedBy: row.actor as DirectoryAuditView["initiatedBy"],
    targetResources: row.targets as DirectoryAuditView["targetResources"],
    modifiedProperties: row.modified_properties as DirectoryAuditView["modifiedProperties"],
    additionalDetails: row.additional_details,
  };
}

const AUDIT_COLUMNS: CsvColumn<DirectoryAuditView>[] = [
  { header: "id", value: (r) => r.id },
  { header: "activityDateTime", value: (r) => r.activityDateTime },
  { header: "activityDisplayName", value: (r) => r.activityDisplayName },
  { header: "category", value: (r) => r.category },
  { header: "result", value: (r) => r.result },
  { header: "correlationId", value: (r) => r.correlationId },
  { header: "initiatedByType", value: (r) => r.initiatedBy.type },
  {
    header: "initiatedBy",
    value: (r) =>
      r.initiatedBy.userPrincipalName ?? r.initiatedBy.displayName ?? r.initiatedBy.name,
  },
  { header: "initiatedById", value: (r) => r.initiatedBy.id },
  { header: "targetResources", value: (r) => r.targetResources },
  { header: "modifiedProperties", value: (r) => r.modifiedProperties },
  { header: "additionalDetails", value: (r) => r.additionalDetails },
];

/** The audit log as the listings and exports read it: keyset on (created_at, seq). */
export const auditLog: LogSource<AuditFilter, AuditRecord, DirectoryAuditView> = {
  select: auditQuery,
  keyOf: (row) => ({ at: row.created_at, id: row.seq }),
  cursorId: "seq",
  view: directoryAuditView,
  columns: AUDIT_COLUMNS,
};

/**
 * One page of the tenant's audit log, newest first, keyset-paginated on (created_at, seq).
 *
 * @example
 * const page = await listDirectoryAudits(db, tenantId, { activity: "Add user" }, { top: 50 });
 */
export function listDirectoryAudits(
  db: Kysely<IdentityDB>,
  tenantId: string,
  filter: AuditFilter,
  page: { top: number; cursor?: string | undefined },
): Promise<Page<DirectoryAuditView>> {
  return listPage(auditLog, db, tenantId, filter, page);
}

/** One audit event of the tenant; 404 for an unknown id or another tenant's event. */
export async function getDirectoryAudit(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
): Promise<DirectoryAuditView> {
  const row = await selectAuditById(db, tenantId, id);
  if (!row)
    throw new ApiError(
      404,
      "audit_event.not_found",
      `No audit event "${id}" in this tenant. Find events with GET /api/v1/auditLogs/directoryAudits.`,
    );
  return directoryAuditView(row);
}
