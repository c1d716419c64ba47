import { loadavg } from "node:os";
import { CompiledQuery, sql } from "kysely";
import { encodeCursor, type Keyset } from "../../src/identity/activity/cursor.ts";
import { listSignIns, type SignInFilter } from "../../src/identity/activity/index.ts";
import { signInQuery } from "../../src/identity/activity/sign-in-queries.ts";
import type { IdentityDB } from "../../src/identity/db.ts";
import type { Database } from "../../src/platform/db/index.ts";
import { type LogProfile, seededEvent, TENANT } from "./seed.ts";

const TOP = 50;
const HOUR = 3_600_000;

/** One troubleshooting query: the filter (and cursor) it sends for a random seeded event. */
interface TroubleshootingQuery {
  name: string;
  pick(profile: LogProfile, now: number): { filter: SignInFilter; after?: Keyset };
}

/** A seeded event number of the measured tenant (the other tenant has every tenth). */
function randomEvent(profile: LogProfile): number {
  const g = 1 + Math.floor(Math.random() * profile.events);
  return g % 10 === 0 ? g - 1 || 1 : g;
}

/**
 * What an administrator asks the log when troubleshooting: "this user around this time" (the
 * seed's troubleshooting section: an email and a timestamp off an error page), a UPN prefix,
 * the request id or correlation id shown on the error page, and paging newest first — from the
 * top and from a cursor deep in the history.
 */
export const TROUBLESHOOTING_QUERIES: TroubleshootingQuery[] = [
  {
    name: "user + 6-hour window",
    pick(profile, now) {
      const e = seededEvent(profile, now, randomEvent(profile));
      const at = e.at.getTime();
      return {
        filter: { user: e.upn, from: new Date(at - 3 * HOUR), to: new Date(at + 3 * HOUR) },
      };
    },
  },
  {
    name: "failures of a user + 1-hour window",
    pick(profile, now) {
      const e = seededEvent(profile, now, randomEvent(profile));
      const at = e.at.getTime();
      const window = { from: new Date(at - HOUR / 2), to: new Date(at + HOUR / 2) };
      return { filter: { user: e.upn.toUpperCase(), status: "failure", ...window } };
    },
  },
  {
    name: "UPN prefix + 1-hour window",
    pick(profile, now) {
      // "user12": about one user in eighteen (user12, user120…, user1200…, user12000…).
      const e = seededEvent(profile, now, randomEvent(profile));
      const at = e.at.getTime();
      const prefix = e.upn.slice(0, "user".length + 2);
      return {
        filter: { user: prefix, from: new Date(at - HOUR / 2), to: new Date(at + HOUR / 2) },
      };
    },
  },
  {
    name: "request id",
    pick: (profile, now) => ({
      filter: { requestId: seededEvent(profile, now, randomEvent(profile)).requestId },
    }),
  },
  {
    name: "correlation id",
    pick: (profile, now) => ({
      filter: { correlationId: seededEvent(profile, now, randomEvent(profile)).correlationId },
    }),
  },
  { name: "newest-first page", pick: () => ({ filter: {} }) },
  {
    name: "newest-first page from a cursor",
    pick(profile, now) {
      const e = seededEvent(profile, now, randomEvent(profile));
      return { filter: {}, after: { at: e.at, id: "ffffffff-ffff-4fff-bfff-ffffffffffff" } };
    },
  },
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export interface QueryFigure {
  name: string;
  p50: number;
  p95: number;
  p99: number;
  rowsPerAnswer: number;
  plan: PlanSummary;
  /** The machine's 1-minute load average when the runs ended: the latencies depend on it. */
  loadAverage: number;
}

export interface PlanSummary {
  /** Parent index names the plan scans (a partition's index is named after its parent's). */
  indexes: string[];
  partitions: number;
  seqScans: number;
  text: string;
  /** Median time PostgreSQL itself spent (EXPLAIN ANALYZE: planning + execution), in ms. */
  serverMs?: number;
}

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Relation Name"?: string;
  Plans?: PlanNode[];
}

interface Catalog {
  /** Each partition's index mapped to the partitioned index it belongs to. */
  parents: Map<string, string>;
  /** Estimated rows of each table (after ANALYZE). */
  rows: Map<string, number>;
}

async function catalog(database: Database<IdentityDB>): Promise<Catalog> {
  const parents = await sql<{ child: string; parent: string }>`
    select c.relname as child, p.relname as parent
    from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
    where c.relkind = 'i'`.execute(database.db);
  const tables = await sql<{ name: string; rows: number }>`
    select relname as name, reltuples::float8 as rows from pg_class
    where relnamespace = 'identity'::regnamespace and relkind = 'r'`.execute(database.db);
  return {
    parents: new Map(parents.rows.map((r) => [r.child, r.parent])),
    rows: new Map(tables.rows.map((r) => [r.name, Number(r.rows)])),
  };
}

// A sequential scan of a partition this small (the default partition, next month's) is what
// the planner rightly does with an empty table; only larger ones count against the plan.
const EMPTY = 1_000;

interface Explained {
  Plan: PlanNode;
  "Planning Time"?: number;
  "Execution Time"?: number;
}

async function explainQuery(
  database: Database<IdentityDB>,
  pick: { filter: SignInFilter; after?: Keyset },
  analyze: boolean,
): Promise<Explained | undefined> {
  const compiled = signInQuery(database.db, TENANT, pick.filter, pick.after)
    .limit(TOP + 1)
    .compile();
  const options = analyze ? "analyze, format json" : "format json";
  const result = await database.db.executeQuery<{ "QUERY PLAN": Explained[] }>(
    CompiledQuery.raw(`explain (${options}) ${compiled.sql}`, [...compiled.parameters]),
  );
  return result.rows[0]?.["QUERY PLAN"][0];
}

/**
 * EXPLAIN of the query the listing sends (which indexes, how many partitions), and the median
 * server-side time of `samples` EXPLAIN ANALYZE runs with fresh parameters: what the database
 * spends, apart from the round trip and the client's own waiting on a busy machine.
 */
async function explain(
  database: Database<IdentityDB>,
  known: Catalog,
  pick: () => { filter: SignInFilter; after?: Keyset },
  samples: number,
): Promise<PlanSummary> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const analyzed = await explainQuery(database, pick(), true);
    times.push((analyzed?.["Planning Time"] ?? 0) + (analyzed?.["Execution Time"] ?? 0));
  }
  times.sort((a, b) => a - b);
  const indexes = new Map<string, number>();
  const relations = new Set<string>();
  let seqScans = 0;
  let emptyScans = 0;
  const walk = (node: PlanNode) => {
    const relation = node["Relation Name"];
    if (relation) relations.add(relation);
    if (node["Node Type"] === "Seq Scan") {
      if ((known.rows.get(relation ?? "") ?? 0) > EMPTY) seqScans++;
      else emptyScans++;
    }
    if (node["Index Name"]) {
      const name = known.parents.get(node["Index Name"]) ?? node["Index Name"];
      indexes.set(name, (indexes.get(name) ?? 0) + 1);
    }
    for (const child of node.Plans ?? []) walk(child);
  };
  const plan = (await explainQuery(database, pick(), false))?.Plan;
  if (plan) walk(plan);
  const used = [...indexes.entries()].map(([name, n]) => `${name} on ${n}`);
  const notes = [
    seqScans ? `${seqScans} SEQ SCAN(S) of a populated partition` : "",
    emptyScans ? `${emptyScans} empty partition(s) read directly` : "",
  ].filter(Boolean);
  return {
    indexes: [...indexes.keys()],
    partitions: relations.size,
    seqScans,
    text: `${used.join(", ") || "no index"} of ${relations.size} partition(s)${notes.length ? `; ${notes.join("; ")}` : ""}`,
    serverMs: percentile(times, 50),
  };
}

/**
 * Runs each troubleshooting query `runs` times (after 20 unmeasured) through the listing the
 * admin API uses (`listSignIns`, one page of 50), and explains it once on PostgreSQL.
 */
export async function measureQueries(
  database: Database<IdentityDB>,
  profile: LogProfile,
  now: Date,
  runs: number,
  queries = TROUBLESHOOTING_QUERIES,
): Promise<QueryFigure[]> {
  const known = database.kind === "postgres" ? await catalog(database) : undefined;
  const figures: QueryFigure[] = [];
  for (const q of queries) {
    const times: number[] = [];
    let rows = 0;
    for (let i = -20; i < runs; i++) {
      const { filter, after } = q.pick(profile, now.getTime());
      const cursor = after ? encodeCursor(after) : undefined;
      const started = performance.now();
      const page = await listSignIns(database.db, TENANT, filter, { top: TOP, cursor });
      if (i < 0) continue;
      times.push(performance.now() - started);
      rows += page.value.length;
    }
    times.sort((a, b) => a - b);
    const plan = known
      ? await explain(database, known, () => q.pick(profile, now.getTime()), 20)
      : { indexes: [], partitions: 0, seqScans: 0, text: "(EXPLAIN on PostgreSQL only)" };
    figures.push({
      name: q.name,
      p50: percentile(times, 50),
      p95: percentile(times, 95),
      p99: percentile(times, 99),
      rowsPerAnswer: rows / runs,
      plan,
      loadAverage: loadavg()[0] ?? 0,
    });
  }
  return figures;
}
