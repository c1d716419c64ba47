import type { Kysely } from "kysely";
import type { IdentityDB } from "../db.ts";
import type { AuditFilter } from "./audit-queries.ts";
import { csvLine } from "./csv.ts";
import type { Keyset } from "./cursor.ts";
import { auditLog } from "./directory-audits.ts";
import type { LogSource } from "./log-source.ts";
import { cursorBatches, keysetBatches } from "./row-batches.ts";
import { signInLog } from "./sign-in-log.ts";
import type { SignInFilter } from "./sign-in-queries.ts";

export type ExportFormat = "csv" | "jsonl";
export type ExportKind = "sign-ins" | "audit";

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  jsonl: "application/x-ndjson; charset=utf-8",
};

// 1,000 rows per fetch: a few hundred kilobytes in memory, few enough round trips. (Smaller
// batches do not lower the process's peak memory measurably: bench/activity.ts.)
export const EXPORT_BATCH_SIZE = 1_000;

type ExportFilter = SignInFilter & AuditFilter;
type AnySource = LogSource<ExportFilter, unknown, unknown>;

const SOURCES: Record<ExportKind, AnySource> = {
  "sign-ins": signInLog as AnySource,
  audit: auditLog as AnySource,
};

export interface ExportRequest {
  database: { db: Kysely<IdentityDB>; kind: "pglite" | "postgres" };
  tenantId: string;
  kind: ExportKind;
  format: ExportFormat;
  filter: ExportFilter;
  /** Called after each batch with the number of rows written so far (progress). */
  onProgress?: ((rows: number) => void) | undefined;
  /** Rows per database round trip (default EXPORT_BATCH_SIZE); tests make it small. */
  batchSize?: number | undefined;
}

function batchesOf(request: ExportRequest, source: AnySource, filter: ExportFilter) {
  const { database, tenantId } = request;
  const { db } = database;
  const size = request.batchSize ?? EXPORT_BATCH_SIZE;
  if (database.kind === "postgres")
    return cursorBatches<unknown>(db, source.select(db, tenantId, filter), size);
  return keysetBatches<unknown, Keyset>(
    (after, limit) => source.select(db, tenantId, filter, after).limit(limit).execute(),
    (row) => source.keyOf(row),
    size,
  );
}

/**
 * A tenant's sign-in or audit log as CSV or JSON Lines, newest first, in text chunks of one
 * batch each, produced only as fast as the consumer pulls them: memory stays flat however many
 * rows match (a server-side cursor on PostgreSQL, keyset batches on PGlite; nothing is kept
 * once its chunk is handed over). Pipe it into a stream that applies backpressure
 * (`Readable.from(chunks)`, or `write` + await "drain"). The upper bound of the time range
 * defaults to now, so events recorded during the export do not shift it.
 *
 * @example
 * for await (const chunk of exportLog({ database, tenantId, kind: "sign-ins", format: "csv",
 *   filter: { from, status: "failure" } })) if (!out.write(chunk)) await once(out, "drain");
 */
export async function* exportLog(request: ExportRequest): AsyncGenerator<string> {
  const source = SOURCES[request.kind];
  const filter = { ...request.filter, to: request.filter.to ?? new Date() };
  const line =
    request.format === "csv"
      ? (view: unknown) => csvLine(source.columns.map((c) => c.value(view)))
      : (view: unknown) => `${JSON.stringify(view)}\n`;
  if (request.format === "csv") yield csvLine(source.columns.map((c) => c.header));
  let count = 0;
  for await (const batch of batchesOf(request, source, filter)) {
    let chunk = "";
    for (const row of batch) chunk += line(source.view(row));
    count += batch.length;
    yield chunk;
    request.onProgress?.(count);
  }
}
