import { resolve } from "node:path";
import { formatActivity, runActivityBench } from "./activity.ts";
import { POSTGRES_ADMIN_URL, postgresReachable } from "./lib/database-target.ts";
import { formatScenario, machineDescription, writeResults } from "./lib/report.ts";
import { runOAuthBench } from "./oauth.ts";

/**
 * `npm run bench [-- --quick] [-- --pglite] [-- --only <text>] [-- --profile] [-- --oauth]`:
 * every benchmark, systems side by side in one run, each server in its own process and the
 * load generated from this one. `--only` runs the scenarios whose name contains the text;
 * `--profile` writes a V8 CPU profile of each server process to bench/results/profiles/
 * (open it in Chrome DevTools, or summarise it with `node bench/profile-summary.ts <file>`);
 * `--oauth` runs the OAuth benchmark (issue 3) alone, without the sign-in log's.
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

const results = await runOAuthBench(
  { quick, postgresUrl: usePglite ? undefined : adminUrl, concurrency, only, nodeArgs },
  console.log,
);
console.log("");
for (const r of results) console.log(formatScenario(r));
if (!only && nodeArgs.length === 0)
  writeResults("oauth", results, { database, concurrency, quick });
else console.log("(partial or profiled run: bench/results/latest.md left as it was)");
if (!only && nodeArgs.length === 0)
  console.log("Results written to bench/results/ (latest.md and a JSON file).");
if (nodeArgs.length > 0) console.log(`CPU profiles written to ${profileDir}`);

// Issue 6: sign-in log ingestion, user + time-window query, export (`--large`: 10M events).
if (!args.has("--oauth")) {
  console.log("\nSign-in and audit log");
  const activity = await runActivityBench(
    { quick, large: args.has("--large"), postgresUrl: usePglite ? undefined : adminUrl, only },
    console.log,
  );
  if (activity.length > 0) console.log(`\n${formatActivity(activity)}`);
}
