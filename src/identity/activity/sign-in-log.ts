import type { Kysely } from "kysely";
import { ApiError } from "../../platform/http/errors.ts";
import type { IdentityDB } from "../db.ts";
import type { CsvColumn } from "./csv.ts";
import { type LogSource, listPage, type Page } from "./log-source.ts";
import type { SignInView } from "./schemas.ts";
import {
  type SignInFilter,
  type SignInRecord,
  selectSignInById,
  signInQuery,
} from "./sign-in-queries.ts";

/** The API's (and the exports') shape of one sign-in event. */
export function signInView(row: SignInRecord): SignInView {
  return {
    id: row.id,
    createdDateTime: row.created_at.toISOString(),
    requestId: row.request_id,
    correlationId: row.correlation_id,
    signInEventType: row.event_type,
    isInteractive: row.is_interactive,
    userId: row.user_id,
    userPrincipalName: row.user_principal_name,
    userDisplayName: row.user_display_name,
    servicePrincipalId: row.service_principal_id,
    servicePrincipalName: row.service_principal_name,
    appId: row.app_id,
    appDisplayName: row.app_display_name,
    resourceId: row.resource_id,
    resourceDisplayName: row.resource_display_name,
    ipAddress: row.ip_address,
    userAgent: row.user_agent,
    clientAppUsed: row.client_app_used,
    status: row.status,
    errorCode: row.error_code,
    failureReason: row.failure_reason,
    additionalDetails: row.additional_details,
  };
}

const SIGN_IN_COLUMNS: CsvColumn<SignInView>[] = (
  [
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
  ] as const
).map((key) => ({ header: key, value: (row) => row[key] }));

/** The sign-in log as the listings and exports read it: keyset on (created_at, id). */
export const signInLog: LogSource<SignInFilter, SignInRecord, SignInView> = {
  select: signInQuery,
  keyOf: (row) => ({ at: row.created_at, id: row.id }),
  cursorId: "uuid",
  view: signInView,
  columns: SIGN_IN_COLUMNS,
};

/**
 * One page of the tenant's sign-in log, newest first (keyset pagination on (created_at, id)).
 *
 * @example
 * const page = await listSignIns(db, tenantId, { user: "ada@contoso.com", from, to }, { top: 50 });
 * const next = await listSignIns(db, tenantId, filter, { top: 50, cursor: page.nextCursor });
 */
export function listSignIns(
  db: Kysely<IdentityDB>,
  tenantId: string,
  filter: SignInFilter,
  page: { top: number; cursor?: string | undefined },
): Promise<Page<SignInView>> {
  return listPage(signInLog, db, tenantId, filter, page);
}

/** One event of the tenant's log; 404 for an unknown id or another tenant's event. */
export async function getSignIn(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
): Promise<SignInView> {
  const row = await selectSignInById(db, tenantId, id);
  if (!row)
    throw new ApiError(
      404,
      "sign_in.not_found",
      `No sign-in event "${id}" in this tenant. Find events with GET /api/v1/auditLogs/signIns?requestId=….`,
    );
  return signInView(row);
}
