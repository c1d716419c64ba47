import { sql } from "kysely";
import {
  type ListConsentRequests,
  type ListSort,
  listConsentRequests,
} from "../../src/identity/consent-requests/index.ts";
import type { IdentityDB } from "../../src/identity/db.ts";
import type { Database } from "../../src/platform/db/index.ts";
import { idOf, REVIEWER_USER, TENANT } from "./seed.ts";
import { percentiles } from "./stats.ts";
import { explainStatement, StatementTrace } from "./trace.ts";

/**
 * Scenario 2: the admin API's list of admin consent requests (GET /api/v1/consentRequests),
 * through the function its route calls (`listConsentRequests`: viewer and policy resolution,
 * the keyset page, the page's requesters and apps), as a reviewer who is also a Cloud
 * Application Administrator. "My pending" and "All", newest first and most requesters first,
 * the first page and a deep one (the cursor of the row halfway down the list, as a client
 * holding @odata.nextLink after many pages would send).
 */

export interface ListingCase {
  name: string;
  filter: "my_pending" | "all";
  sort: ListSort;
  deep: boolean;
}

export const LISTING_CASES: ListingCase[] = (["my_pending", "all"] as const).flatMap((filter) =>
  (["created_desc", "requesters_desc"] as const).flatMap((sort) =>
    [false, true].map((deep) => ({
      name: `${filter === "my_pending" ? "My pending" : "All"}, ${
        sort === "created_desc" ? "newest first" : "most requesters first"
      }, ${deep ? "deep page" : "first page"}`,
      filter,
      sort,
      deep,
    })),
  ),
);

/** The cursor list.ts would issue after the row at `offset` of the case's order. */
async function cursorAt(
  database: Database<IdentityDB>,
  c: ListingCase,
  offset: number,
): Promise<string | undefined> {
  const where =
    c.filter === "my_pending" ? sql`and status = 'pending' and expires_at > now()` : sql``;
  const order =
    c.sort === "requesters_desc"
      ? sql`requester_count desc, created_at desc, id desc`
      : sql`created_at desc, id desc`;
  const { rows } = await sql<{ id: string; created_at: Date; requester_count: number }>`
    select id, created_at, requester_count from identity.consent_requests
    where tenant_id = ${TENANT} ${where} order by ${order} offset ${offset} limit 1`.execute(
    database.db,
  );
  const row = rows[0];
  if (!row) return undefined;
  return Buffer.from(
    JSON.stringify({
      s: c.sort,
      c: new Date(row.created_at).getTime(),
      n: row.requester_count,
      i: row.id,
    }),
  ).toString("base64url");
}

export interface ListingResult {
  case: ListingCase;
  samples: number[];
  seconds: number;
  rows: number;
  /** Statements one call sends. */
  roundTrips: number;
  /** The page query under EXPLAIN ANALYZE: PostgreSQL's own time and the indexes read. */
  pageQuery: { ms: number; indexes: string[]; sequentialScans: number } | undefined;
}

/** Times each case `repeat` times (after two untimed calls); checks every page is full. */
export async function measureListing(
  database: Database<IdentityDB>,
  repeat: number,
  log: (line: string) => void,
): Promise<ListingResult[]> {
  const viewer = { kind: "user" as const, userId: idOf("user", REVIEWER_USER) };
  const results: ListingResult[] = [];
  for (const c of LISTING_CASES) {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from identity.consent_requests where tenant_id = ${TENANT}
      ${c.filter === "my_pending" ? sql`and status = 'pending'` : sql``}`.execute(database.db);
    const total = rows[0]?.n ?? 0;
    const query: ListConsentRequests = {
      filter: c.filter,
      sort: c.sort,
      top: 25,
      cursor: c.deep ? await cursorAt(database, c, Math.floor(total / 2)) : undefined,
    };
    for (let i = 0; i < 2; i++) await listConsentRequests(database.db, TENANT, viewer, query);
    const samples: number[] = [];
    const started = performance.now();
    let listed = 0;
    for (let i = 0; i < repeat; i++) {
      const t0 = performance.now();
      const page = await listConsentRequests(database.db, TENANT, viewer, query);
      samples.push(performance.now() - t0);
      listed = page.value.length;
      if (listed !== 25 || !page.nextCursor)
        throw new Error(`${c.name}: ${listed} requests and no next page, not a full page of 25`);
    }
    const seconds = (performance.now() - started) / 1000;
    const trace = new StatementTrace();
    await listConsentRequests(database.db.withPlugin(trace), TENANT, viewer, query);
    const page = trace.statements.find((s) => s.sql.includes('from "identity"."consent_requests"'));
    const pageQuery = page ? await explainStatement(database.db, page) : undefined;
    const p = percentiles(samples);
    log(`  ${c.name}: p95 ${p.p95.toFixed(2)} ms (of ${total.toLocaleString("en")})`);
    results.push({
      case: c,
      samples,
      seconds,
      rows: total,
      roundTrips: trace.statements.length,
      pageQuery,
    });
  }
  return results;
}
