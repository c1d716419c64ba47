import type { Kysely } from "kysely";
import { ApiError } from "../../platform/http/errors.ts";
import type { IdentityDB } from "../db.ts";
import {
  type AuditFilter,
  type AuditRecord,
  selectAuditById,
  selectAuditPage,
} from "./audit-queries.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import type { DirectoryAuditView } from "./schemas.ts";
import type { Page } from "./sign-in-log.ts";

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

/**
 * One page of the tenant's audit log, newest first, keyset-paginated on (created_at, seq).
 *
 * @example
 * const page = await listDirectoryAudits(db, tenantId, { activity: "Add user" }, { top: 50 });
 */
export async function listDirectoryAudits(
  db: Kysely<IdentityDB>,
  tenantId: string,
  filter: AuditFilter,
  page: { top: number; cursor?: string | undefined },
): Promise<Page<DirectoryAuditView>> {
  const after = page.cursor ? decodeCursor(page.cursor, "seq") : undefined;
  const rows = await selectAuditPage(db, tenantId, filter, page.top + 1, after);
  const more = rows.length > page.top;
  const shown = more ? rows.slice(0, page.top) : rows;
  const last = shown[shown.length - 1];
  return {
    value: shown.map(directoryAuditView),
    nextCursor: more && last ? encodeCursor({ at: last.created_at, id: last.seq }) : undefined,
  };
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
