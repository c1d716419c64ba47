import pg from "pg";
import { formatScenario, machineDescription, writeResults } from "./lib/report.ts";
import { runOAuthBench } from "./oauth.ts";

/**
 * `npm run bench [-- --quick] [-- --pglite]`: every benchmark, systems side by side in one run,
 * each server in its own process and the load generated from this one.
 */
const args = new Set(process.argv.slice(2));
const quick = args.has("--quick");
const adminUrl =
  process.env.TEST_DATABASE_URL ??
  process.env.DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/test";

async function postgresReachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const usePglite = args.has("--pglite") || !(await postgresReachable(adminUrl));
const database = usePglite ? "PGlite (embedded, in memory)" : "PostgreSQL";
const concurrency = 16;
console.log(`Assent benchmarks — ${machineDescription()}`);
console.log(
  `database: ${database}; concurrency ${concurrency}; ${quick ? "quick run" : "full run"}\n`,
);

const results = await runOAuthBench(
  { quick, postgresUrl: usePglite ? undefined : adminUrl, concurrency },
  console.log,
);
console.log("");
for (const r of results) console.log(formatScenario(r));
writeResults("oauth", results, { database, concurrency, quick });
console.log("Results written to bench/results/ (latest.md and a JSON file).");
