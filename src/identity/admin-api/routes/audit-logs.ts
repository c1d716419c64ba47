import type { Kysely } from "kysely";
import { z } from "zod";
import { ApiError } from "../../../platform/http/errors.ts";
import {
  auditLog,
  directoryAuditSchema,
  EXPORT_CONTENT_TYPES,
  type ExportFormat,
  type ExportKind,
  exportLog,
  getDirectoryAudit,
  getSignIn,
  type LogSource,
  listPage,
  pageSchema,
  selectTopSignInApplications,
  signInLog,
  signInSchema,
} from "../../activity/index.ts";
import type { IdentityDB } from "../../db.ts";
import type { DirectoryRole } from "../../directory/index.ts";
import type { RoutePermission } from "../authorize.ts";
import { type AdminRoute, defineRoute, type RouteContext, StreamResponse } from "../route.ts";
import {
  auditFilterQuery,
  exportFormatQuery,
  pagingQuery,
  signInFilterQuery,
  timeRangeOf,
  withOrderedRange,
} from "./audit-log-filters.ts";

/** Who may read the sign-in and audit logs (also what GET /api/v1/me reports as logs.read). */
// Entra: Reports Reader, Security Reader, Security Administrator, Global Reader (and Global
// Administrator); of Assent's six roles, these.
const LOG_READERS: DirectoryRole[] = [
  "global_administrator",
  "global_reader",
  "reports_reader",
  "privileged_role_administrator",
];
export const READ_LOGS: RoutePermission = {
  anyOf: ["AuditLog.Read.All"],
  directoryRoles: LOG_READERS,
};

const idParams = z.object({ id: z.string().max(64).describe("The event's id.") });

// Two at a time per node: each export holds a database connection for as long as the client
// takes to read it, and the pool is shared with sign-ins.
const MAX_CONCURRENT_EXPORTS = 2;
let runningExports = 0;

function exportResponse(
  ctx: RouteContext<unknown, unknown, unknown>,
  kind: ExportKind,
  format: ExportFormat,
  filter: Record<string, unknown>,
): StreamResponse {
  if (runningExports >= MAX_CONCURRENT_EXPORTS)
    throw new ApiError(
      429,
      "export.busy",
      `${MAX_CONCURRENT_EXPORTS} exports are already running on this server; try again when one has finished.`,
    );
  runningExports++;
  const chunks = exportLog({
    database: ctx.deps.database,
    tenantId: ctx.caller.tenantId,
    kind,
    format,
    filter,
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  // Streamed with backpressure (register-routes: Readable.from), so a batch is fetched only
  // when the client has taken the one before. Released when the stream closes, however it
  // ends (even before its first chunk).
  return new StreamResponse(
    EXPORT_CONTENT_TYPES[format],
    chunks,
    `${kind}-${stamp}.${format}`,
    () => {
      runningExports--;
    },
  );
}

/** What the list, export and get operations of one log differ in; the rest is shared. */
interface LogApi<F, R, V> {
  kind: ExportKind;
  /** The collection's path under /api/v1/auditLogs. */
  collection: string;
  tag: string;
  source: LogSource<F, R, V>;
  filterQuery: z.ZodRawShape;
  item: z.ZodType;
  /** Operation ids: list, export, get. */
  operations: [string, string, string];
  summaries: [string, string, string];
  listDescription: string;
  exportDescription?: string;
  /** The item schema's name in the OpenAPI document (its page is `${itemName}Page`). */
  itemName: string;
  notFoundCode: string;
  get(db: Kysely<IdentityDB>, tenantId: string, id: string): Promise<unknown>;
}

type ParsedFilter = Record<string, unknown> & { from?: string; to?: string };

/** GET {collection} (keyset pages), GET {collection}/export (CSV or JSON Lines), GET {collection}/{id}. */
function logRoutes<F, R, V>(api: LogApi<F, R, V>): AdminRoute[] {
  const path = `/api/v1/auditLogs/${api.collection}` as const;
  const tags = [api.tag];
  const [listId, exportId, getId] = api.operations;
  const [listSummary, exportSummary, getSummary] = api.summaries;
  // The filter schemas and the log's filter type name the same fields (audit-log-filters.ts).
  const filterOf = (query: ParsedFilter) => ({ ...query, ...timeRangeOf(query) });
  const list = defineRoute({
    method: "GET",
    path,
    operationId: listId,
    summary: listSummary,
    description: api.listDescription,
    tags,
    permission: READ_LOGS,
    query: withOrderedRange(z.object({ ...api.filterQuery, ...pagingQuery })),
    response: pageSchema(api.item, `${api.itemName}Page`),
    errors: [
      {
        status: 400,
        code: "request.invalid_cursor",
        description: "A cursor this API did not issue.",
      },
    ],
    async handler(ctx) {
      const { top, cursor, ...filter } = ctx.query as ParsedFilter & {
        top: number;
        cursor?: string;
      };
      const page = await listPage(
        api.source,
        ctx.deps.database.db,
        ctx.caller.tenantId,
        filterOf(filter) as F,
        { top, cursor },
      );
      const next = ctx.nextLink(page.nextCursor);
      return { value: page.value, ...(next ? { "@odata.nextLink": next } : {}) };
    },
  });
  const exportRoute = defineRoute({
    method: "GET",
    path: `${path}/export`,
    operationId: exportId,
    summary: exportSummary,
    ...(api.exportDescription ? { description: api.exportDescription } : {}),
    tags,
    permission: READ_LOGS,
    query: withOrderedRange(z.object({ ...api.filterQuery, ...exportFormatQuery })),
    response: z
      .string()
      .describe(`CSV with a header row, or one ${api.itemName} JSON object per line.`),
    produces: [EXPORT_CONTENT_TYPES.csv, EXPORT_CONTENT_TYPES.jsonl],
    errors: [{ status: 429, code: "export.busy", description: "Too many exports running." }],
    async handler(ctx) {
      const { format, ...filter } = ctx.query as ParsedFilter & { format: ExportFormat };
      return exportResponse(ctx, api.kind, format, filterOf(filter));
    },
  });
  const get = defineRoute({
    method: "GET",
    path: `${path}/{id}`,
    operationId: getId,
    summary: getSummary,
    tags,
    permission: READ_LOGS,
    params: idParams,
    response: api.item,
    errors: [{ status: 404, code: api.notFoundCode, description: "No such event in this tenant." }],
    handler: (ctx) => api.get(ctx.deps.database.db, ctx.caller.tenantId, ctx.params.id),
  });
  return [list, exportRoute, get];
}

const topAppSchema = z
  .object({
    appId: z.string().nullable().describe("The client application's id."),
    appDisplayName: z.string().nullable(),
    signIns: z.int().describe("Sign-in events in the window."),
    failures: z.int().describe("Of which failed."),
  })
  .meta({ id: "SignInApplicationCount" });

/**
 * The applications with the most sign-ins in the last `days` days: one grouped scan of the
 * tenant's (tenant_id, created_at) index range, which partition pruning bounds to the window.
 */
export const topSignInApplicationsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/auditLogs/signIns/topApplications",
  operationId: "listTopSignInApplications",
  summary: "The applications with the most sign-ins recently (the portal's overview)",
  tags: ["Sign-in logs"],
  permission: READ_LOGS,
  query: z.object({
    days: z.coerce.number().int().min(1).max(30).default(7).describe("The window, in days."),
    top: z.coerce.number().int().min(1).max(20).default(5),
  }),
  response: z.object({ from: z.iso.datetime({ offset: true }), value: z.array(topAppSchema) }),
  async handler(ctx) {
    const from = new Date(Date.now() - ctx.query.days * 24 * 60 * 60 * 1000);
    const rows = await selectTopSignInApplications(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      from,
      ctx.query.top,
    );
    return {
      from: from.toISOString(),
      value: rows.map((r) => ({
        appId: r.app_id,
        appDisplayName: r.app_display_name,
        signIns: Number(r.sign_ins),
        failures: Number(r.failures),
      })),
    };
  },
});

/** The sign-in and audit log operations (issue 6). */
export const auditLogRoutes: AdminRoute[] = [
  topSignInApplicationsRoute,
  ...logRoutes({
    kind: "sign-ins",
    collection: "signIns",
    tag: "Sign-in logs",
    source: signInLog,
    filterQuery: signInFilterQuery,
    item: signInSchema,
    operations: ["listSignIns", "exportSignIns", "getSignIn"],
    summaries: [
      "List sign-in events, newest first",
      "Export sign-in events as CSV or JSON Lines",
      "One sign-in event",
    ],
    listDescription:
      "The tenant's sign-in log: interactive and non-interactive user sign-ins and service principal token requests. Filters combine with AND; pages follow @odata.nextLink (keyset pagination: no event repeats or goes missing while new ones arrive).",
    exportDescription:
      "Streams every event matching the filters, newest first, with constant memory on the server. CSV cells that a spreadsheet would evaluate (starting with = + - @ tab or CR) are prefixed with '.",
    itemName: "SignIn",
    notFoundCode: "sign_in.not_found",
    get: getSignIn,
  }),
  ...logRoutes({
    kind: "audit",
    collection: "directoryAudits",
    tag: "Audit logs",
    source: auditLog,
    filterQuery: auditFilterQuery,
    item: directoryAuditSchema,
    operations: ["listDirectoryAudits", "exportDirectoryAudits", "getDirectoryAudit"],
    summaries: [
      "List audit events, newest first",
      "Export audit events as CSV or JSON Lines",
      "One audit event",
    ],
    listDescription:
      "Every administrative and consent action in the tenant, with its actor, targets and modified properties (old and new values). Keyset pagination through @odata.nextLink.",
    itemName: "DirectoryAudit",
    notFoundCode: "audit_event.not_found",
    get: getDirectoryAudit,
  }),
];
