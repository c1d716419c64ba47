import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { sql } from "kysely";
import pg from "pg";
import pino from "pino";
import {
  createSignInRecorder,
  ensureSignInPartition,
  exportLog,
  listSignIns,
} from "../src/identity/activity/index.ts";
import type { IdentityDB } from "../src/identity/db.ts";
import { type Database, openDatabase } from "../src/platform/db/index.ts";
import { migrateAll } from "../src/server/migrations.ts";

/**
 * Issue 6's benchmark: sign-in event ingestion through the recorder (events/s), the
 * "this user around this time" query (p50/p95) over a log of 1 million events (10 million with
 * `--large`), and export throughput with the process's memory alongside. Targets: ingestion
 * >= 10,000 events/s; query p95 <= 50 ms; export memory flat.
 */
export interface ActivityBenchOptions {
  quick: boolean;
  /** `--large`: also the 10-million-event log. */
  large: boolean;
  /** PostgreSQL admin URL to create a scratch database from; undefined = embedded PGlite. */
  postgresUrl: string | undefined;
  only?: string | undefined;
}

export interface ActivityFigure {
  scenario: string;
  value: string;
  target?: string;
  met?: boolean;
  detail?: string;
}

const TENANT = "4b1d5f0e-8c0a-4f7e-9a57-0c9b8f6d2e11";
const OTHER_TENANT = "9e2c7a41-3b5d-4c8e-a1f0-6d7e8f9a0b12";
// 2,000 users over 30 days: a user has a few events in any six hours, as an active one would.
const USERS = 2_000;
const DAYS = 30;

async function scratch(adminUrl: string) {
  const name = `assent_bench_activity_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const rssMb = () => process.memoryUsage().rss / 2 ** 20;

async function ingestion(database: Database<IdentityDB>, events: number): Promise<ActivityFigure> {
  const recorder = createSignInRecorder({
    db: database.db,
    logger: pino({ level: "silent" }),
    maxBuffered: events,
  });
  const started = performance.now();
  for (let i = 0; i < events; i++) {
    recorder.record({
      tenantId: TENANT,
      requestId: `bench-${i}`,
      correlationId: `corr-${i}`,
      eventType: i % 4 === 0 ? "servicePrincipal" : "interactiveUser",
      status: i % 10 === 0 ? "failure" : "success",
      errorCode: i % 10 === 0 ? 50126 : 0,
      user: { userPrincipalName: `user${i % USERS}@contoso.example`, displayName: "Bench User" },
      app: { appId: "3f9a2c1e-7b6d-4e5f-9a8b-1c2d3e4f5a6b", displayName: "Bench App" },
      resource: { id: "api://assent-mail", displayName: "Assent Mail" },
      ipAddress: "203.0.113.7",
      userAgent: "Mozilla/5.0 (X11; Linux x86_64) bench",
      clientAppUsed: "Browser",
    });
    // Let the writer run, as the event loop of a busy server would.
    if (i % 1_000 === 999) await new Promise((r) => setImmediate(r));
  }
  const recordedMs = performance.now() - started;
  await recorder.close();
  const seconds = (performance.now() - started) / 1000;
  const perSecond = events / seconds;
  return {
    scenario: `sign-in ingestion through the recorder (${events.toLocaleString("en")} events)`,
    value: `${Math.round(perSecond).toLocaleString("en")} events/s`,
    target: ">= 10,000 events/s",
    met: perSecond >= 10_000 && recorder.droppedEvents === 0,
    detail: `record() ${((recordedMs * 1000) / events).toFixed(2)} µs/event; dropped ${recorder.droppedEvents}`,
  };
}

/** Seeds `events` sign-ins over the last 30 days with one statement per million. */
async function seed(database: Database<IdentityDB>, events: number, log: (s: string) => void) {
  const { db } = database;
  const now = new Date();
  for (let m = -2; m <= 0; m++)
    await ensureSignInPartition(
      db,
      new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + m, 1)),
    );
  const started = performance.now();
  const step = (DAYS * 86_400_000) / events;
  for (let from = 0; from < events; from += 1_000_000) {
    const to = Math.min(events, from + 1_000_000);
    // 90% in the measured tenant, 10% in another; users cycle, times are spread evenly.
    await sql`
      insert into identity.sign_in_events (tenant_id, created_at, request_id, correlation_id,
        event_type, is_interactive, user_principal_name, user_display_name, app_id,
        app_display_name, resource_id, ip_address, user_agent, client_app_used, status,
        error_code, additional_details)
      select case when g % 10 = 0 then ${OTHER_TENANT}::uuid else ${TENANT}::uuid end,
        date_trunc('milliseconds', ${now}::timestamptz - make_interval(secs => g * ${step / 1000}::float8)),
        'seed-' || g, 'corr-' || g,
        case when g % 4 = 0 then 'servicePrincipal' else 'interactiveUser' end, g % 4 <> 0,
        'user' || (g % ${USERS}) || '@contoso.example', 'Bench User',
        '3f9a2c1e-7b6d-4e5f-9a8b-1c2d3e4f5a6b', 'Bench App', 'api://assent-mail', '203.0.113.7',
        'Mozilla/5.0 bench', 'Browser',
        case when g % 10 = 3 then 'failure' else 'success' end,
        case when g % 10 = 3 then 50126 else 0 end, '{}'
      from generate_series(${from + 1}::int, ${to}::int) g`.execute(db);
    log(`  seeded ${to.toLocaleString("en")} events`);
  }
  await sql`analyze identity.sign_in_events`.execute(db);
  return (performance.now() - started) / 1000;
}

async function userWindowQuery(
  database: Database<IdentityDB>,
  events: number,
  runs: number,
): Promise<ActivityFigure> {
  const now = Date.now();
  const times: number[] = [];
  let found = 0;
  for (let i = -20; i < runs; i++) {
    const user = `user${Math.floor(Math.random() * USERS)}@contoso.example`;
    const at = now - Math.random() * DAYS * 86_400_000;
    const started = performance.now();
    const page = await listSignIns(
      database.db,
      TENANT,
      { user, from: new Date(at - 3 * 3_600_000), to: new Date(at + 3 * 3_600_000) },
      { top: 50 },
    );
    if (i >= 0) {
      times.push(performance.now() - started);
      found += page.value.length;
    }
  }
  times.sort((a, b) => a - b);
  const p95 = percentile(times, 95);
  return {
    scenario: `user + 6-hour window query at ${events.toLocaleString("en")} events`,
    value: `p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`,
    target: "p95 <= 50 ms",
    met: p95 <= 50,
    detail: `${runs} queries, ${(found / runs).toFixed(1)} events per answer`,
  };
}

async function exportThroughput(database: Database<IdentityDB>): Promise<ActivityFigure> {
  // Memory is "flat" when it stops growing once the export is under way: compare the RSS after
  // the first 100,000 rows with the peak after that.
  let settled: number | undefined;
  let peak = 0;
  let rows = 0;
  let bytes = 0;
  const started = performance.now();
  for await (const chunk of exportLog({
    database,
    tenantId: TENANT,
    kind: "sign-ins",
    format: "csv",
    filter: {},
    onProgress: (n) => {
      rows = n;
      if (settled === undefined && n >= 100_000) settled = rssMb();
      else if (settled !== undefined) peak = Math.max(peak, rssMb());
    },
  }))
    bytes += chunk.length;
  const seconds = (performance.now() - started) / 1000;
  const growth = settled === undefined ? 0 : Math.max(0, peak - settled);
  return {
    scenario: `CSV export of ${rows.toLocaleString("en")} events`,
    value: `${Math.round(rows / seconds).toLocaleString("en")} rows/s`,
    target: "memory flat",
    met: growth < 64,
    detail: `${(bytes / 2 ** 20).toFixed(0)} MiB in ${seconds.toFixed(1)} s; RSS after 100k rows ${settled?.toFixed(0) ?? "-"} MB, then +${growth.toFixed(0)} MB at most`,
  };
}

async function withDatabase<T>(
  options: ActivityBenchOptions,
  fn: (database: Database<IdentityDB>) => Promise<T>,
): Promise<T> {
  const made = options.postgresUrl ? await scratch(options.postgresUrl) : undefined;
  const database = await openDatabase<IdentityDB>(
    made
      ? { kind: "postgres", url: made.url, poolMax: 10 }
      : { kind: "pglite", dataDir: undefined },
  );
  try {
    await migrateAll(database.db);
    return await fn(database);
  } finally {
    await database.close();
    await made?.drop();
  }
}

export function formatActivity(figures: ActivityFigure[]): string {
  return [
    "### Sign-in and audit log",
    "",
    "| scenario | result | target | detail |",
    "|---|---|---|---|",
    ...figures.map(
      (f) =>
        `| ${f.scenario} | ${f.value} | ${f.target ? `${f.target} ${f.met ? "(met)" : "(NOT met)"}` : ""} | ${f.detail ?? ""} |`,
    ),
    "",
  ].join("\n");
}

/**
 * Runs the activity scenarios on fresh scratch databases and writes
 * `bench/results/activity-<timestamp>.json`.
 */
export async function runActivityBench(
  options: ActivityBenchOptions,
  log: (line: string) => void,
): Promise<ActivityFigure[]> {
  const wanted = (name: string) => !options.only || name.includes(options.only);
  const figures: ActivityFigure[] = [];
  if (wanted("sign-in ingestion")) {
    const events = options.quick ? 50_000 : 200_000;
    log(`  sign-in ingestion: ${events.toLocaleString("en")} events through the recorder`);
    const figure = await withDatabase(options, (database) => ingestion(database, events));
    log(`  ${figure.scenario}: ${figure.value} (${figure.detail})`);
    figures.push(figure);
  }
  const sizes = options.quick ? [100_000] : options.large ? [1_000_000, 10_000_000] : [1_000_000];
  for (const size of sizes) {
    if (!wanted("user + 6-hour window") && !wanted("CSV export")) break;
    await withDatabase(options, async (database) => {
      log(`  seeding ${size.toLocaleString("en")} sign-in events`);
      const seconds = await seed(database, size, log);
      log(`  seeded in ${seconds.toFixed(1)} s`);
      if (wanted("user + 6-hour window")) {
        const figure = await userWindowQuery(database, size, options.quick ? 100 : 300);
        log(`  ${figure.scenario}: ${figure.value}`);
        figures.push(figure);
      }
      if (wanted("CSV export") && size <= 1_000_000) {
        const figure = await exportThroughput(database);
        log(`  ${figure.scenario}: ${figure.value} (${figure.detail})`);
        figures.push(figure);
      }
    });
  }
  if (!options.only && figures.length > 0) {
    const dir = resolve(import.meta.dirname, "results");
    mkdirSync(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    writeFileSync(
      resolve(dir, `activity-${stamp}.json`),
      JSON.stringify({ database: options.postgresUrl ? "PostgreSQL" : "PGlite", figures }, null, 2),
    );
  }
  return figures;
}
