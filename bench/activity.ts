import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { createSignInRecorder } from "../src/identity/activity/index.ts";
import type { IdentityDB } from "../src/identity/db.ts";
import { type Database, openDatabase } from "../src/platform/db/index.ts";
import { migrateAll } from "../src/server/migrations.ts";
import {
  type ExportMemory,
  measureExport,
  measureExportInChild,
} from "./activity/export-memory.ts";
import { measureQueries, TROUBLESHOOTING_QUERIES } from "./activity/queries.ts";
import {
  BENCH_APP_ID,
  type LogProfile,
  profileOf,
  seededProfile,
  seedSignIns,
  TENANT,
  withDatabase,
} from "./activity/seed.ts";
import { POSTGRES_ADMIN_URL, postgresReachable } from "./lib/database-target.ts";

/**
 * Issue 6's benchmark: sign-in event ingestion through the recorder (events/s); the
 * troubleshooting queries (p50/p95/p99, and the indexes their plans use) over a log of 1
 * million events (and 10 million over a year with `--large`); the export's throughput and its
 * memory (peak RSS growth at a tenth of the rows and at all of them, in a fresh process).
 * Targets: ingestion >= 10,000 events/s; query p95 <= 50 ms at 10 million; export memory flat.
 *
 * Alone: `node --import tsx bench/activity.ts [--quick] [--large] [--events N] [--pglite]
 * [--only <text>] [--keep] [--reuse <url>]`: `--keep` leaves the scratch databases (for
 * EXPLAIN by hand), `--reuse` measures a kept one again after migrating it (new indexes).
 */
export interface ActivityBenchOptions {
  quick: boolean;
  /** `--large`: also the 10-million-event log. */
  large: boolean;
  /** PostgreSQL admin URL to create a scratch database from; undefined = embedded PGlite. */
  postgresUrl: string | undefined;
  only?: string | undefined;
  /** Log sizes to seed instead of the defaults (`--events`). */
  sizes?: number[] | undefined;
  /** Keep the scratch PostgreSQL databases (their URLs are logged). */
  keep?: boolean | undefined;
  /** Measure a database seeded (and kept) by an earlier run instead of seeding one. */
  reuseUrl?: string | undefined;
}

export interface ActivityFigure {
  scenario: string;
  value: string;
  target?: string;
  met?: boolean;
  detail?: string;
}

const MAX_QUERY_P95_MS = 50;
// "Flat": once half the rows are out, the RSS may not grow by more than this.
const FLAT_SLACK_MB = 16;
const JUDGE_EXPORT_ROWS = 500_000;

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
      user: { userPrincipalName: `user${i % 2_000}@contoso.example`, displayName: "Bench User" },
      app: { appId: BENCH_APP_ID, displayName: "Bench App" },
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

function queryFigures(
  profile: LogProfile,
  figures: Awaited<ReturnType<typeof measureQueries>>,
  runs: number,
): ActivityFigure[] {
  return figures.map((q) => ({
    scenario: `${q.name} query at ${profile.events.toLocaleString("en")} events`,
    value: `p50 ${q.p50.toFixed(1)} ms, p95 ${q.p95.toFixed(1)} ms, p99 ${q.p99.toFixed(1)} ms`,
    target: `p95 <= ${MAX_QUERY_P95_MS} ms, indexes only`,
    met: q.p95 <= MAX_QUERY_P95_MS && q.plan.seqScans === 0,
    detail: [
      `${runs} queries, ${q.rowsPerAnswer.toFixed(1)} events per answer;`,
      q.plan.serverMs === undefined
        ? ""
        : `PostgreSQL's own time p50 ${q.plan.serverMs.toFixed(2)} ms (EXPLAIN ANALYZE);`,
      `plan: ${q.plan.text}; load average ${loadText(q.loadAverage)}`,
    ]
      .filter(Boolean)
      .join(" "),
  }));
}

const loadText = (load: number) => `${load.toFixed(1)} on ${cpus().length} cores`;

const mbText = (n: number) => `${n.toFixed(0)} MB`;

/** Flat: no more growth after half the rows than FLAT_SLACK_MB, and nothing kept afterwards. */
function exportFigure(m: ExportMemory, note: string): ActivityFigure {
  const flat =
    m.peakGrowthMb <= m.growthAtHalfMb + FLAT_SLACK_MB && m.heapAfterMb <= m.heapBeforeMb + 8;
  return {
    scenario: `CSV export of ${m.rows.toLocaleString("en")} events${note}`,
    value: `${Math.round(m.rows / m.seconds).toLocaleString("en")} rows/s`,
    target: "memory flat",
    // Below half a million rows V8 may still be growing its young generation at the end.
    met: m.rows >= JUDGE_EXPORT_ROWS ? flat : undefined,
    detail: [
      `RSS +${mbText(m.growthAtTenthMb)} after a tenth of the rows, +${mbText(m.growthAtHalfMb)} after half,`,
      `+${mbText(m.peakGrowthMb)} at most (base ${mbText(m.baseRssMb)});`,
      `heap after a GC ${mbText(m.heapAfterMb)} (before ${mbText(m.heapBeforeMb)});`,
      `${m.mebibytes.toFixed(0)} MiB in ${m.seconds.toFixed(1)} s`,
    ].join(" "),
  };
}

/**
 * The export's memory. On PostgreSQL it runs in a fresh process, so nothing the benchmark did
 * before counts (in a full run again with V8's young generation capped: the export's own
 * share); on PGlite (in memory, this process only) here.
 */
async function exportMemory(
  database: Database<IdentityDB>,
  url: string | undefined,
  quick: boolean,
): Promise<ActivityFigure[]> {
  if (!url)
    return [exportFigure(await measureExport(database, undefined), " (PGlite, in process)")];
  const figures = [exportFigure(await measureExportInChild(url, undefined), "")];
  if (!quick)
    figures.push(
      exportFigure(
        await measureExportInChild(url, undefined, ["--max-semi-space-size=16"]),
        " (node --max-semi-space-size=16)",
      ),
    );
  return figures;
}

const verdict = (met: boolean | undefined) =>
  met === undefined ? "(not judged: too few rows)" : met ? "(met)" : "(NOT met)";

export function formatActivity(figures: ActivityFigure[]): string {
  return [
    "### Sign-in and audit log",
    "",
    "| scenario | result | target | detail |",
    "|---|---|---|---|",
    ...figures.map(
      (f) =>
        `| ${f.scenario} | ${f.value} | ${f.target ? `${f.target} ${verdict(f.met)}` : ""} | ${f.detail ?? ""} |`,
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
  const report = (added: ActivityFigure[]) => {
    for (const f of added) log(`  ${f.scenario}: ${f.value}${f.detail ? ` (${f.detail})` : ""}`);
    figures.push(...added);
  };
  if (wanted("sign-in ingestion")) {
    const events = options.quick ? 50_000 : 200_000;
    log(`  sign-in ingestion: ${events.toLocaleString("en")} events through the recorder`);
    report([await withDatabase(options.postgresUrl, (database) => ingestion(database, events))]);
  }
  let sizes =
    options.sizes ??
    (options.quick ? [100_000] : options.large ? [1_000_000, 10_000_000] : [1_000_000]);
  if (!options.postgresUrl && sizes.some((n) => n > 1_000_000)) {
    log("  (PGlite runs in memory: logs over 1 million events are measured on PostgreSQL only)");
    sizes = sizes.filter((n) => n <= 1_000_000);
  }
  const runs = options.quick ? 100 : 300;
  const queryWanted = (name: string) => wanted(`${name} query`);
  const measureLog = async (
    database: Database<IdentityDB>,
    url: string | undefined,
    profile: LogProfile,
    now: Date,
  ) => {
    const queries = TROUBLESHOOTING_QUERIES.filter((q) => queryWanted(q.name));
    if (queries.length > 0)
      report(
        queryFigures(profile, await measureQueries(database, profile, now, runs, queries), runs),
      );
    if (wanted("CSV export") && profile.events <= 1_000_000)
      report(await exportMemory(database, url, options.quick));
  };
  if (options.reuseUrl) {
    const database = await openDatabase<IdentityDB>({ kind: "postgres", url: options.reuseUrl });
    try {
      await migrateAll(database.db);
      const { profile, now } = await seededProfile(database);
      log(`  reusing ${profile.events.toLocaleString("en")} events seeded at ${now.toISOString()}`);
      await measureLog(database, options.reuseUrl, profile, now);
    } finally {
      await database.close();
    }
  }
  for (const size of options.reuseUrl ? [] : sizes) {
    if (!TROUBLESHOOTING_QUERIES.some((q) => queryWanted(q.name)) && !wanted("CSV export")) break;
    const profile = profileOf(size);
    await withDatabase(
      options.postgresUrl,
      async (database, url) => {
        const now = new Date();
        log(
          `  seeding ${size.toLocaleString("en")} sign-in events over ${profile.days} days, ${profile.users.toLocaleString("en")} users`,
        );
        const seconds = await seedSignIns(database, profile, now, log);
        log(`  seeded in ${seconds.toFixed(1)} s`);
        await measureLog(database, url, profile, now);
      },
      { keep: options.keep, log },
    );
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

if (resolve(process.argv[1] ?? "") === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const option = (flag: string) => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const events = option("--events");
  const usePglite = argv.includes("--pglite") || !(await postgresReachable(POSTGRES_ADMIN_URL));
  console.log(
    `Sign-in and audit log benchmark on ${usePglite ? "PGlite (in memory)" : "PostgreSQL"}`,
  );
  const figures = await runActivityBench(
    {
      quick: argv.includes("--quick"),
      large: argv.includes("--large"),
      postgresUrl: usePglite ? undefined : POSTGRES_ADMIN_URL,
      only: option("--only"),
      sizes: events ? [Number(events)] : undefined,
      keep: argv.includes("--keep"),
      reuseUrl: option("--reuse"),
    },
    console.log,
  );
  console.log(`\n${formatActivity(figures)}`);
}
