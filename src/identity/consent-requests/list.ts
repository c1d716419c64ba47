import type { Kysely } from "kysely";
import { ApiError } from "../../platform/http/errors.ts";
import { findApplicationByAppId } from "../apps/index.ts";
import type { IdentityDB } from "../db.ts";
import { isUuid } from "../directory/index.ts";
import {
  type ListFilter,
  type ListKeyset,
  type ListSort,
  selectListedRequests,
} from "./list-queries.ts";
import { mergeResourceScopes } from "./scopes.ts";
import { listedSnapshotsOf } from "./snapshot.ts";
import type { ConsentRequestStatus, ConsentRequestViewer } from "./types.ts";
import { requireMayView, resolveViewerUnderPolicy } from "./viewer.ts";
import { type ConsentRequestSummary, summaryOf } from "./views.ts";

export interface ListConsentRequests {
  /** "my_pending": open requests the viewer may decide now (Entra "My Pending"); "all" (default). */
  filter?: "my_pending" | "all" | undefined;
  status?: ConsentRequestStatus | undefined;
  /** The client app, by client id or object id. */
  app?: string | undefined;
  createdFrom?: Date | undefined;
  createdTo?: Date | undefined;
  /** Default newest first; "requesters_desc": most wanted first (Google's "User requests"). */
  sort?: ListSort | undefined;
  top?: number | undefined;
  cursor?: string | undefined;
}

export interface ConsentRequestPage {
  value: ConsentRequestSummary[];
  nextCursor: string | undefined;
}

function encodeCursor(sort: ListSort, k: ListKeyset): string {
  return Buffer.from(
    JSON.stringify({ s: sort, c: k.createdAt.getTime(), n: k.requesterCount, i: k.id }),
  ).toString("base64url");
}

function decodeCursor(cursor: string, sort: ListSort): ListKeyset {
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      v.s === sort &&
      Number.isSafeInteger(v.c) &&
      Number.isSafeInteger(v.n) &&
      typeof v.i === "string" &&
      isUuid(v.i)
    )
      return { createdAt: new Date(v.c), requesterCount: v.n, id: v.i };
  } catch {
    // fall through
  }
  throw new ApiError(
    400,
    "request.invalid_cursor",
    "The cursor is not one this API issued for this sort. Follow @odata.nextLink as given, or start again without a cursor.",
  );
}

/**
 * Lists the tenant's requests with filters, a sort and keyset pagination (no request repeats or
 * goes missing while others arrive). "My pending" resolves the viewer's reviewer status now: a
 * reviewer added today sees last month's requests; a removed one sees none.
 */
export async function listConsentRequests(
  db: Kysely<IdentityDB>,
  tenantId: string,
  viewer: ConsentRequestViewer,
  query: ListConsentRequests = {},
  now: Date = new Date(),
): Promise<ConsentRequestPage> {
  const sort = query.sort ?? "created_desc";
  const top = Math.min(Math.max(query.top ?? 25, 1), 100);
  const after = query.cursor ? decodeCursor(query.cursor, sort) : undefined;
  const filter: ListFilter = {
    status: query.status,
    createdFrom: query.createdFrom,
    createdTo: query.createdTo,
  };
  if (query.app) {
    const byAppId = await findApplicationByAppId(db, query.app);
    const id = byAppId?.id ?? (isUuid(query.app) ? query.app.toLowerCase() : undefined);
    if (!id) return { value: [], nextCursor: undefined };
    filter.applicationId = id;
  }
  // Three round trips: the viewer under the policy, the page with its asks, the apps.
  const resolved = await resolveViewerUnderPolicy(db, tenantId, viewer);
  if (query.filter === "my_pending") {
    if (!resolved.isReviewer) return { value: [], nextCursor: undefined };
    filter.activeAt = now;
  } else requireMayView(resolved);
  const rows = await selectListedRequests(db, tenantId, filter, sort, after, top + 1);
  const page = rows.slice(0, top);
  const last = page[page.length - 1]?.request;
  const snapshots = await listedSnapshotsOf(
    db,
    page.map(({ request, asks }) => ({ request, asked: mergeResourceScopes(...asks) })),
  );
  return {
    value: snapshots.map((s) => summaryOf(s, now)),
    nextCursor: rows.length > top && last ? encodeCursor(sort, last) : undefined,
  };
}
