import { resolve } from "node:path";
import { formatActivity, runActivityBench } from "./activity.ts";
import { POSTGRES_ADMIN_URL, postgresReachable } from "./lib/database-target.ts";
import {
  ASSENT_NODE_RSS_LIMIT_MB,
  formatRssTarget,
  formatScenario,
  formatTargets,
  machineDescription,
  writeResults,
} from "./lib/report.ts";
import { MAIL_SCENARIO } from "./mail.ts";
import { BETTER_AUTH, MORE_SCENARIOS, runOAuthBench, SCENARIOS } from "./oauth.ts";
import { SCALE_OUT_SCENARIOS } from "./scale-out.ts";

/**
 * `npm run bench [-- --quick] [-- --pglite] [-- --only <text>] [-- --profile] [-- --oauth]`:
 * every benchmark, systems side by side in one run, each server in its own process and the
 * load generated from this one. `--only` runs the scenarios whose name contains the text;
 * `--profile` writes a V8 CPU profile of each server process to bench/results/profiles/
 * (open it in Chrome DevTools, or summarise it with `node bench/profile-summary.ts <file>`);
 * `--oauth` runs the OAuth benchmark (issue 3) alone: Assent and the bare oidc-provider, without
 * better-auth, issue 10's other scenarios, the sign-in log's and the data-scale ones.
 */
const argv = process.argv.slice(2);
const args = new Set(argv);
const quick = args.has("--quick");
const onlyAt = argv.indexOf("--only");
const only = onlyAt >= 0 ? argv[onlyAt + 1] : undefined;
const profileDir = resolve(import.meta.dirname, "results", "profiles");
const nodeArgs = args.has("--profile") ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [];
const adminUrl = POSTGRES_ADMIN_URL;

const usePglite = args.has("--pglite") || !(await postgresReachable(adminUrl));
const database = usePglite ? "PGlite (embedded, in memory)" : "PostgreSQL";
const concurrency = 16;
console.log(`Assent benchmarks — ${machineDescription()}`);
console.log(
  `database: ${database}; concurrency ${concurrency}; ${quick ? "quick run" : "full run"}\n`,
);

// `--oauth` is issue 3's benchmark as it was (Assent and the bare oidc-provider, three
// scenarios), which OAuth tuning runs repeatedly; the full run adds issue 10's peer
// (better-auth), scenarios (introspection, userinfo, password flow, Mail API) and, on
// PostgreSQL, the scale-out ones (two nodes behind a round-robin proxy).
const oauthOnly = args.has("--oauth");
const scenarios = oauthOnly
  ? SCENARIOS
  : [...SCENARIOS, ...MORE_SCENARIOS, MAIL_SCENARIO, ...(usePglite ? [] : SCALE_OUT_SCENARIOS)];
const results = await runOAuthBench(
  {
    quick,
    postgresUrl: usePglite ? undefined : adminUrl,
    concurrency,
    only,
    nodeArgs,
    scenarios,
    peerFilter: oauthOnly ? (peer) => peer !== BETTER_AUTH : undefined,
  },
  console.log,
);
console.log("");
for (const r of results) console.log(formatScenario(r));
const sections: string[] = [];
if (!oauthOnly && results.length > 0) {
  const rss = formatRssTarget(results, ASSENT_NODE_RSS_LIMIT_MB);
  console.log(`${rss}\n`);
  sections.push(formatTargets(results), rss);
}
if (usePglite && !oauthOnly) console.log("(better-auth and the scale-out run on PostgreSQL only)");
const writing = !only && nodeArgs.length === 0;
// `--oauth` writes its results at once (the OAuth tuning loop reads them); the full run at the end.
if (writing && oauthOnly) {
  writeResults("oauth", results, { database, concurrency, quick });
  console.log("Results written to bench/results/ (latest.md and a JSON file).");
}
if (!writing) console.log("(partial or profiled run: bench/results/latest.md left as it was)");
if (nodeArgs.length > 0) console.log(`CPU profiles written to ${profileDir}`);

if (!oauthOnly) {
  // Issue 6: sign-in log ingestion, user + time-window query, export (`--large`: 10M events).
  console.log("\nSign-in and audit log");
  const activity = await runActivityBench(
    { quick, large: args.has("--large"), postgresUrl: usePglite ? undefined : adminUrl, only },
    console.log,
  );
  if (activity.length > 0) {
    console.log(`\n${formatActivity(activity)}`);
    sections.push(formatActivity(activity));
  }

  // Issue 10's data-scale scenarios (bench/data-scale, another module): consent decision at
  // scale and the admin consent request listing.
  console.log("\nData scale");
  const dataScale = await loadDataScale();
  if (!dataScale) console.log("data-scale scenarios not available");
  else {
    const figures = await dataScale.runDataScaleBench(
      { quick, ...(usePglite ? {} : { postgresUrl: adminUrl }), ...(only ? { only } : {}) },
      console.log,
    );
    if (figures.length > 0) {
      const table = dataScale.formatDataScale(figures);
      console.log(`\n${table}`);
      sections.push(`### Data scale\n\n${table}\n`);
    }
  }
  if (writing) {
    writeResults("bench", results, { database, concurrency, quick }, sections);
    console.log("\nResults written to bench/results/ (latest.md and a JSON file).");
  }
}

/** bench/data-scale/index.ts, when it is there and loads (it is built separately). */
async function loadDataScale(): Promise<typeof import("./data-scale/index.ts") | undefined> {
  try {
    return await import("./data-scale/index.ts");
  } catch (error) {
    console.log(`(bench/data-scale did not load: ${(error as Error).message.split("\n")[0]})`);
    return undefined;
  }
}
