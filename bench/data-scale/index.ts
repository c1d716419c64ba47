import { describeKinds, measureDecisions } from "./decision.ts";
import { measureListing } from "./listing.ts";
import {
  type DecisionSize,
  type RequestSize,
  seedDecisionData,
  seedRequestData,
  withScaleDatabase,
} from "./seed.ts";
import { percentiles } from "./stats.ts";

/**
 * Issue 10's data-scale scenarios, each on a fresh database seeded at scale:
 *
 * 1. the consent decision in-process with 10,000 apps, 100,000 users and 1,000,000 delegated
 *    grants (target p99 <= 1 ms), catalog warm and cold (decision.ts);
 * 2. the admin API's list of admin consent requests at 100,000 requests (target p95 <= 50 ms),
 *    "My pending" and "All", by age and by requesters, first and deep page (listing.ts).
 *
 * `quick` divides every size by ten. With no `postgresUrl` the database is PGlite in memory.
 */
export interface DataScaleFigure {
  scenario: string;
  target: string;
  met: boolean;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  opsPerSecond: number;
  notes: string;
}

const DECISION_TARGET_MS = 1;
const LISTING_TARGET_MS = 50;

export function decisionSize(quick: boolean): DecisionSize {
  return quick
    ? { users: 10_000, groups: 100, apps: 1_000, grants: 100_000 }
    : { users: 100_000, groups: 1_000, apps: 10_000, grants: 1_000_000 };
}

/** Half as many apps as requests: every app has one pending request and one decided one. */
export function requestSize(quick: boolean): RequestSize {
  return quick
    ? { users: 10_000, groups: 100, apps: 5_000, requests: 10_000 }
    : { users: 100_000, groups: 1_000, apps: 50_000, requests: 100_000 };
}

export async function runDataScaleBench(
  options: { quick: boolean; postgresUrl?: string; only?: string },
  log: (line: string) => void,
): Promise<DataScaleFigure[]> {
  const figures: DataScaleFigure[] = [];
  const wanted = (name: string) =>
    !options.only || name.toLowerCase().includes(options.only.toLowerCase());
  const where = options.postgresUrl ? "PostgreSQL" : "PGlite";

  if (wanted("consent decision")) {
    const size = decisionSize(options.quick);
    log(`Consent decision at scale (${where})`);
    await withScaleDatabase(options.postgresUrl, async (database) => {
      await seedDecisionData(database, size, log);
      const counts = options.quick
        ? { warm: 20_000, cold: 2_000, workingSet: 500 }
        : { warm: 100_000, cold: 10_000, workingSet: 500 };
      const { warm, cold, coldRoundTrips, popularGrants } = await measureDecisions(
        database,
        size,
        counts,
        log,
      );
      const world = `${size.apps.toLocaleString("en")} apps, ${size.users.toLocaleString("en")} users, ${size.grants.toLocaleString("en")} grants`;
      for (const [label, r, note] of [
        ["catalog warm", warm, `inputs from the tenant catalog (${counts.workingSet} pairs)`],
        [
          "catalog cold",
          cold,
          `every (user, app) pair new: ${coldRoundTrips.toFixed(1)} round trips a decision (client, enterprise app, roles, groups, grants; assignment); ${describePlan("popular app's grant lookup", popularGrants)}`,
        ],
      ] as const) {
        const p = percentiles(r.samples);
        figures.push({
          scenario: `Consent decision in-process, ${label}`,
          target: `p99 <= ${DECISION_TARGET_MS} ms`,
          met: p.p99 <= DECISION_TARGET_MS,
          p50Ms: p.p50,
          p95Ms: p.p95,
          p99Ms: p.p99,
          opsPerSecond: r.samples.length / r.seconds,
          notes: `${world}; ${note}; one at a time; ${describeKinds(r.kinds)}`,
        });
      }
    });
  }

  if (wanted("pending consent requests")) {
    const size = requestSize(options.quick);
    log(`Pending consent requests at scale (${where})`);
    await withScaleDatabase(options.postgresUrl, async (database) => {
      await seedRequestData(database, size, new Date(), log);
      const results = await measureListing(database, options.quick ? 30 : 100, log);
      for (const r of results) {
        const p = percentiles(r.samples);
        figures.push({
          scenario: `Pending consent requests: ${r.case.name}`,
          target: `p95 <= ${LISTING_TARGET_MS} ms`,
          met: p.p95 <= LISTING_TARGET_MS,
          p50Ms: p.p50,
          p95Ms: p.p95,
          p99Ms: p.p99,
          opsPerSecond: r.samples.length / r.seconds,
          notes: `${size.requests.toLocaleString("en")} requests, ${r.rows.toLocaleString("en")} listed; 25 a page; ${r.roundTrips} round trips; ${describePlan("page query", r.pageQuery)}`,
        });
      }
    });
  }
  return figures;
}

/** "page query 0.05 ms in PostgreSQL (index_a)" */
function describePlan(
  what: string,
  plan: { ms: number; indexes: string[]; sequentialScans: number } | undefined,
): string {
  if (!plan) return `${what} not seen`;
  const read = [
    ...plan.indexes,
    ...(plan.sequentialScans > 0 ? [`${plan.sequentialScans} sequential scan(s)`] : []),
  ];
  return `${what} ${plan.ms.toFixed(2)} ms in PostgreSQL (${read.join(", ") || "no index"})`;
}

const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));

/** A Markdown table of the figures. */
export function formatDataScale(figures: DataScaleFigure[]): string {
  const lines = [
    "| scenario | p50 ms | p95 ms | p99 ms | ops/s | target | met | notes |",
    "| --- | ---: | ---: | ---: | ---: | --- | --- | --- |",
  ];
  for (const f of figures)
    lines.push(
      `| ${f.scenario} | ${ms(f.p50Ms)} | ${ms(f.p95Ms)} | ${ms(f.p99Ms)} | ${Math.round(f.opsPerSecond).toLocaleString("en")} | ${f.target} | ${f.met ? "yes" : "**no**"} | ${f.notes} |`,
    );
  return lines.join("\n");
}
