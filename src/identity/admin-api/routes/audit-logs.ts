import { z } from "zod";
import { ApiError } from "../../../platform/http/errors.ts";
import {
  directoryAuditSchema,
  EXPORT_CONTENT_TYPES,
  type ExportKind,
  exportLog,
  getDirectoryAudit,
  getSignIn,
  listDirectoryAudits,
  listSignIns,
  pageSchema,
  signInSchema,
} from "../../activity/index.ts";
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

// Entra: Reports Reader, Security Reader, Security Administrator, Global Reader (and Global
// Administrator); of Assent's six roles, these.
const LOG_READERS: DirectoryRole[] = [
  "global_administrator",
  "global_reader",
  "reports_reader",
  "privileged_role_administrator",
];
const READ_LOGS: RoutePermission = { anyOf: ["AuditLog.Read.All"], directoryRoles: LOG_READERS };
const TAGS_SIGN_INS = ["Sign-in logs"];
const TAGS_AUDIT = ["Audit logs"];

const idParams = z.object({ id: z.string().max(64).describe("The event's id.") });
const signInListQuery = withOrderedRange(z.object({ ...signInFilterQuery, ...pagingQuery }));
const signInExportQuery = withOrderedRange(
  z.object({ ...signInFilterQuery, ...exportFormatQuery }),
);
const auditListQuery = withOrderedRange(z.object({ ...auditFilterQuery, ...pagingQuery }));
const auditExportQuery = withOrderedRange(z.object({ ...auditFilterQuery, ...exportFormatQuery }));

// Two at a time per node: each export holds a database connection for as long as the client
// takes to read it, and the pool is shared with sign-ins.
const MAX_CONCURRENT_EXPORTS = 2;
let runningExports = 0;

function exportResponse(
  ctx: RouteContext<unknown, unknown, unknown>,
  kind: ExportKind,
  format: "csv" | "jsonl",
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
  // Released when the stream closes, however it ends (even before its first chunk).
  return new StreamResponse(
    EXPORT_CONTENT_TYPES[format],
    chunks,
    `${kind}-${stamp}.${format}`,
    () => {
      runningExports--;
    },
  );
}

export const listSignInsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/auditLogs/signIns",
  operationId: "listSignIns",
  summary: "List sign-in events, newest first",
  description:
    "The tenant's sign-in log: interactive and non-interactive user sign-ins and service principal token requests. Filters combine with AND; pages follow @odata.nextLink (keyset pagination: no event repeats or goes missing while new ones arrive).",
  tags: TAGS_SIGN_INS,
  permission: READ_LOGS,
  query: signInListQuery,
  response: pageSchema(signInSchema, "SignInPage"),
  errors: [
    {
      status: 400,
      code: "request.invalid_cursor",
      description: "A cursor this API did not issue.",
    },
  ],
  async handler(ctx) {
    const { top, cursor, ...filter } = ctx.query;
    const page = await listSignIns(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      { ...filter, ...timeRangeOf(filter) },
      { top, cursor },
    );
    const next = ctx.nextLink(page.nextCursor);
    return { value: page.value, ...(next ? { "@odata.nextLink": next } : {}) };
  },
});

export const exportSignInsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/auditLogs/signIns/export",
  operationId: "exportSignIns",
  summary: "Export sign-in events as CSV or JSON Lines",
  description:
    "Streams every event matching the filters, newest first, with constant memory on the server. CSV cells that a spreadsheet would evaluate (starting with = + - @ tab or CR) are prefixed with '.",
  tags: TAGS_SIGN_INS,
  permission: READ_LOGS,
  query: signInExportQuery,
  response: z.string().describe("CSV with a header row, or one SignIn JSON object per line."),
  produces: [EXPORT_CONTENT_TYPES.csv, EXPORT_CONTENT_TYPES.jsonl],
  errors: [{ status: 429, code: "export.busy", description: "Too many exports running." }],
  async handler(ctx) {
    const { format, ...filter } = ctx.query;
    return exportResponse(ctx, "sign-ins", format, { ...filter, ...timeRangeOf(filter) });
  },
});

export const getSignInRoute = defineRoute({
  method: "GET",
  path: "/api/v1/auditLogs/signIns/{id}",
  operationId: "getSignIn",
  summary: "One sign-in event",
  tags: TAGS_SIGN_INS,
  permission: READ_LOGS,
  params: idParams,
  response: signInSchema,
  errors: [
    { status: 404, code: "sign_in.not_found", description: "No such event in this tenant." },
  ],
  handler: async (ctx) => getSignIn(ctx.deps.database.db, ctx.caller.tenantId, ctx.params.id),
});

export const listDirectoryAuditsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/auditLogs/directoryAudits",
  operationId: "listDirectoryAudits",
  summary: "List audit events, newest first",
  description:
    "Every administrative and consent action in the tenant, with its actor, targets and modified properties (old and new values). Keyset pagination through @odata.nextLink.",
  tags: TAGS_AUDIT,
  permission: READ_LOGS,
  query: auditListQuery,
  response: pageSchema(directoryAuditSchema, "DirectoryAuditPage"),
  errors: [
    {
      status: 400,
      code: "request.invalid_cursor",
      description: "A cursor this API did not issue.",
    },
  ],
  async handler(ctx) {
    const { top, cursor, ...filter } = ctx.query;
    const page = await listDirectoryAudits(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      { ...filter, ...timeRangeOf(filter) },
      { top, cursor },
    );
    const next = ctx.nextLink(page.nextCursor);
    return { value: page.value, ...(next ? { "@odata.nextLink": next } : {}) };
  },
});

export const exportDirectoryAuditsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/auditLogs/directoryAudits/export",
  operationId: "exportDirectoryAudits",
  summary: "Export audit events as CSV or JSON Lines",
  tags: TAGS_AUDIT,
  permission: READ_LOGS,
  query: auditExportQuery,
  response: z
    .string()
    .describe("CSV with a header row, or one DirectoryAudit JSON object per line."),
  produces: [EXPORT_CONTENT_TYPES.csv, EXPORT_CONTENT_TYPES.jsonl],
  errors: [{ status: 429, code: "export.busy", description: "Too many exports running." }],
  async handler(ctx) {
    const { format, ...filter } = ctx.query;
    return exportResponse(ctx, "audit", format, { ...filter, ...timeRangeOf(filter) });
  },
});

export const getDirectoryAuditRoute = defineRoute({
  method: "GET",
  path: "/api/v1/auditLogs/directoryAudits/{id}",
  operationId: "getDirectoryAudit",
  summary: "One audit event",
  tags: TAGS_AUDIT,
  permission: READ_LOGS,
  params: idParams,
  response: directoryAuditSchema,
  errors: [
    { status: 404, code: "audit_event.not_found", description: "No such event in this tenant." },
  ],
  handler: async (ctx) =>
    getDirectoryAudit(ctx.deps.database.db, ctx.caller.tenantId, ctx.params.id),
});

/** The sign-in and audit log operations (issue 6). */
export const auditLogRoutes: AdminRoute[] = [
  listSignInsRoute,
  exportSignInsRoute,
  getSignInRoute,
  listDirectoryAuditsRoute,
  exportDirectoryAuditsRoute,
  getDirectoryAuditRoute,
];
