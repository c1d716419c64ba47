import type { Kysely } from "kysely";
import { ApiError } from "../../platform/http/errors.ts";
import type { IdentityDB } from "../db.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import type { SignInView } from "./schemas.ts";
import {
  type SignInFilter,
  type SignInRecord,
  selectSignInById,
  selectSignInPage,
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

export interface Page<T> {
  value: T[];
  /** Give it back as `cursor` for the next page; undefined on the last page. */
  nextCursor: string | undefined;
}

/**
 * One page of the tenant's sign-in log, newest first. Keyset pagination on (created_at, id):
 * events recorded while someone pages never shift the pages, so nothing repeats or goes
 * missing.
 *
 * @example
 * const page = await listSignIns(db, tenantId, { user: "ada@contoso.com", from, to }, { top: 50 });
 * const next = await listSignIns(db, tenantId, filter, { top: 50, cursor: page.nextCursor });
 */
export async function listSignIns(
  db: Kysely<IdentityDB>,
  tenantId: string,
  filter: SignInFilter,
  page: { top: number; cursor?: string | undefined },
): Promise<Page<SignInView>> {
  const after = page.cursor ? decodeCursor(page.cursor, "uuid") : undefined;
  // One row more than asked tells whether there is a next page without a count.
  const rows = await selectSignInPage(db, tenantId, filter, page.top + 1, after);
  const more = rows.length > page.top;
  const shown = more ? rows.slice(0, page.top) : rows;
  const last = shown[shown.length - 1];
  return {
    value: shown.map(signInView),
    nextCursor: more && last ? encodeCursor({ at: last.created_at, id: last.id }) : undefined,
  };
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
