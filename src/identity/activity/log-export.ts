import type { Kysely } from "kysely";
import type { IdentityDB } from "../db.ts";
import { type AuditFilter, type AuditRecord, auditQuery } from "./audit-queries.ts";
import { type CsvColumn, csvLine } from "./csv.ts";
import type { Keyset } from "./cursor.ts";
import { directoryAuditView } from "./directory-audits.ts";
import { cursorBatches, keysetBatches } from "./row-batches.ts";
import type { DirectoryAuditView, SignInView } from "./schemas.ts";
import { signInView } from "./sign-in-log.ts";
import { type SignInFilter, type SignInRecord, signInQuery } from "./sign-in-queries.ts";

export type ExportFormat = "csv" | "jsonl";
export type ExportKind = "sign-ins" | "audit";

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  jsonl: "application/x-ndjson; charset=utf-8",
};

// 1,000 rows per fetch: a few hundred kilobytes in memory, few enough round trips.
const BATCH_SIZE = 1_000;

const SIGN_IN_COLUMNS: CsvColumn<SignInView>[] = [
  "id",
  "createdDateTime",
  "requestId",
  "correlationId",
  "signInEventType",
  "isInteractive",
  "status",
  "errorCode",
  "failureReason",
  "userId",
  "userPrincipalName",
  "userDisplayName",
  "servicePrincipalId",
  "servicePrincipalName",
  "appId",
  "appDisplayName",
  "resourceId",
  "resourceDisplayName",
  "ipAddress",
  "userAgent",
  "clientAppUsed",
  "additionalDetails",
].map((key) => ({ header: key, value: (row) => row[key as keyof SignInView] }));

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

export interface ExportRequest {
  database: { db: Kysely<IdentityDB>; kind: "pglite" | "postgres" };
  tenantId: string;
  kind: ExportKind;
  format: ExportFormat;
  filter: SignInFilter & AuditFilter;
  /** Called after each batch with the number of rows written so far (progress). */
  onProgress?: ((rows: number) => void) | undefined;
}

function rowsOf(request: ExportRequest): AsyncGenerator<Array<SignInRecord | AuditRecord>> {
  const { database, tenantId, filter } = request;
  const { db } = database;
  const signIns = request.kind === "sign-ins";
  if (database.kind === "postgres")
    return cursorBatches(
      db,
      signIns ? signInQuery(db, tenantId, filter) : auditQuery(db, tenantId, filter),
      BATCH_SIZE,
    );
  return keysetBatches<SignInRecord | AuditRecord, Keyset>(
    (after, limit) =>
      signIns
        ? signInQuery(db, tenantId, filter, after).limit(limit).execute()
        : auditQuery(db, tenantId, filter, after).limit(limit).execute(),
    (row) => ({ at: row.created_at, id: "seq" in row ? row.seq : row.id }),
    BATCH_SIZE,
  );
}

/**
 * A tenant's sign-in or audit log as CSV or JSON Lines, newest first, in text chunks of one
 * batch each: memory stays flat however many rows match (a server-side cursor on PostgreSQL,
 * keyset batches on PGlite). The upper bound of the time range defaults to now, so events
 * recorded during the export do not shift it.
 *
 * @example
 * for await (const chunk of exportLog({ database, tenantId, kind: "sign-ins", format: "csv",
 *   filter: { from, status: "failure" } })) out.write(chunk);
 */
export async function* exportLog(request: ExportRequest): AsyncGenerator<string> {
  const filter = { ...request.filter, to: request.filter.to ?? new Date() };
  const signIns = request.kind === "sign-ins";
  const columns = (signIns ? SIGN_IN_COLUMNS : AUDIT_COLUMNS) as CsvColumn<unknown>[];
  if (request.format === "csv") yield csvLine(columns.map((c) => c.header));
  let count = 0;
  for await (const batch of rowsOf({ ...request, filter })) {
    let chunk = "";
    for (const row of batch) {
      const view = signIns
        ? signInView(row as SignInRecord)
        : directoryAuditView(row as AuditRecord);
      chunk +=
        request.format === "csv"
          ? csvLine(columns.map((c) => c.value(view)))
          : `${JSON.stringify(view)}\n`;
    }
    count += batch.length;
    yield chunk;
    request.onProgress?.(count);
  }
}
