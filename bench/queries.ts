import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { POSTGRES_ADMIN_URL, postgresReachable } from "./lib/database-target.ts";
import type { SystemDescriptor } from "./lib/http-flow.ts";
import { sleep } from "./lib/load.ts";
import { startServer } from "./lib/server-process.ts";
import { SCENARIOS, SYSTEMS, scratchDatabase } from "./oauth.ts";

/**
 * `node --import tsx bench/queries.ts [--pglite] [--verbose]`: database round trips per
 * iteration of each OAuth scenario, for each system, counted in the server process (see
 * lib/query-counter.ts). Iterations run one at a time after a warm-up, so the count is exact.
 */
const args = new Set(process.argv.slice(2));
const ITERATIONS = 20;
const usePglite = args.has("--pglite") || !(await postgresReachable(POSTGRES_ADMIN_URL));

async function counted(
  pid: number,
  file: string,
): Promise<{ total: number; byStatement: Record<string, number> }> {
  process.kill(pid, "SIGUSR2");
  for (let i = 0; i < 50; i++) {
    await sleep(50);
    try {
      const parsed = JSON.parse(readFileSync(file, "utf8"));
      rmSync(file);
      return parsed;
    } catch {
      // not written yet
    }
  }
  throw new Error("the server did not write its query counts");
}

for (const scenario of SCENARIOS) {
  for (const system of SYSTEMS) {
    const file = join(tmpdir(), `assent-bench-queries-${process.pid}.json`);
    const scratch = usePglite ? undefined : await scratchDatabase(POSTGRES_ADMIN_URL);
    const server = await startServer<SystemDescriptor>(system.script, {
      BENCH_QUERY_LOG: file,
      ...(scratch ? { BENCH_DATABASE_URL: scratch.url } : {}),
    });
    try {
      const d = server.descriptor;
      const state = await scenario.setup(d);
      for (let i = 0; i < 5; i++) await scenario.iteration(d, state);
      await counted(server.pid, file);
      for (let i = 0; i < ITERATIONS; i++) await scenario.iteration(d, state);
      const { total, byStatement } = await counted(server.pid, file);
      console.log(
        `${scenario.name} — ${system.name}: ${(total / ITERATIONS).toFixed(1)} queries per iteration`,
      );
      if (args.has("--verbose"))
        for (const [statement, n] of Object.entries(byStatement))
          console.log(`    ${(n / ITERATIONS).toFixed(2).padStart(6)}  ${statement}`);
    } finally {
      await server.stop();
      await scratch?.drop();
    }
  }
}
