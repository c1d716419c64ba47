import { POSTGRES_ADMIN_URL, postgresReachable } from "../lib/database-target.ts";
import { machineDescription } from "../lib/report.ts";
import { formatDataScale, runDataScaleBench } from "./index.ts";

/**
 * The data-scale scenarios alone: `npx tsx bench/data-scale/cli.ts [--quick] [--pglite]
 * [--only <text>]` (`npm run bench` runs them with the rest).
 */
const argv = process.argv.slice(2);
const onlyAt = argv.indexOf("--only");
const usePglite = argv.includes("--pglite") || !(await postgresReachable(POSTGRES_ADMIN_URL));
console.log(`Data-scale scenarios — ${machineDescription()}`);
const figures = await runDataScaleBench(
  {
    quick: argv.includes("--quick"),
    ...(usePglite ? {} : { postgresUrl: POSTGRES_ADMIN_URL }),
    ...(onlyAt >= 0 && argv[onlyAt + 1] ? { only: argv[onlyAt + 1] } : {}),
  },
  console.log,
);
console.log(`\n${formatDataScale(figures)}`);
